using Lookalike.Indexes;

namespace Lookalike.Storage.Postgres;

/// <summary>
/// The collection's vectors plus a few more an index snapshot still holds: rows deleted after the
/// snapshot was saved, which the loaded collection no longer keeps (the index removes them at once,
/// but reads stay safe).
/// </summary>
internal sealed class OverlayVectorSource(IVectorSource primary, IReadOnlyDictionary<long, float[]> extra) : IVectorSource
{
    /// <inheritdoc/>
    public int Dimension => primary.Dimension;

    /// <inheritdoc/>
    public bool Contains(long id) => primary.Contains(id) || extra.ContainsKey(id);

    /// <inheritdoc/>
    public ReadOnlySpan<float> Vector(long id) => extra.TryGetValue(id, out var vector) && !primary.Contains(id) ? vector : primary.Vector(id);
}
