using Lookalike.Errors;
using Lookalike.Indexes;

namespace Lookalike.Collections;

public sealed partial class EmbeddedCollection
{
    /// <inheritdoc/>
    public override ValueTask<ImageRecord?> GetAsync(long id, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(() => IsLive(id) ? _images[(int)id] : null));

    /// <inheritdoc/>
    public override ValueTask<ImageRecord?> FindByHashAsync(string sha256, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(() => _idOfHash.TryGetValue(sha256, out long id) ? _images[(int)id] : null));

    /// <inheritdoc/>
    public override ValueTask<FileState?> GetFileStateAsync(string path, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(() => _files.GetValueOrDefault(path)));

    /// <inheritdoc/>
    public override ValueTask<float[]?> GetFeaturesAsync(long id, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(() => IsLive(id) ? ReadVector(id) : null));

    /// <inheritdoc/>
    public override IAsyncEnumerable<ImageRecord> ListAsync(CancellationToken cancellationToken = default) =>
        _gate.Snapshot(() => _images.Where(i => !_deleted.Contains(i.Id)).ToList(), cancellationToken);

    /// <inheritdoc/>
    public override IAsyncEnumerable<(string Path, FileState State)> ListFileStatesAsync(CancellationToken cancellationToken = default) =>
        _gate.Snapshot(() => _files.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => (f.Key, f.Value)).ToList(), cancellationToken);

    /// <inheritdoc/>
    public override ValueTask<(IReadOnlyList<ImageRecord> Images, float[] Vectors)> ReadAllAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(ReadAll());

    /// <summary>Every live image with its features (see <see cref="ReadAllAsync"/>).</summary>
    public (IReadOnlyList<ImageRecord> Images, float[] Vectors) ReadAll()
    {
        _gate.EnterReadLock();
        try
        {
            return (_images.Where(i => !_deleted.Contains(i.Id)).ToList(), LiveVectors());
        }
        finally
        {
            _gate.ExitReadLock();
        }
    }

    /// <inheritdoc/>
    public override ValueTask<SearchResponse> SearchAsync(ReadOnlyMemory<float> query, SearchOptions options,
        CancellationToken cancellationToken = default)
    {
        IndexFilling.CheckQuery(query.Span, options, _manifest.Model.Dimension, _folder, _manifest.Model.Id);
        var metric = options.Metric ?? DistanceMetrics.Parse(_manifest.Metric);
        var index = GetOrLoadIndex(metric, options.IndexSpec ?? _manifest.Index);
        _gate.EnterReadLock();
        try
        {
            return ValueTask.FromResult(IndexFilling.Search(index, query.Span, options, metric, _vectors, id => _images[(int)id]));
        }
        finally
        {
            _gate.ExitReadLock();
        }
    }

    /// <summary>
    /// A copy of every live row in id order (n×d; committed rows from the memory map, then
    /// uncommitted ones): what exports and training need. Callers hold the gate.
    /// </summary>
    private float[] LiveVectors()
    {
        int dimension = _manifest.Model.Dimension;
        var vectors = new float[(long)(_images.Count - _deleted.Count) * dimension];
        long filled = 0;
        for (long id = 0; id < _vectors.Rows; id++)
        {
            if (_deleted.Contains(id)) continue;
            _vectors.Vector(id).CopyTo(vectors.AsSpan((int)(filled++ * dimension), dimension));
        }
        return vectors;
    }

    private float[] ReadVector(long id) => _vectors.Vector(id).ToArray();

    private bool IsLive(long id) => id >= 0 && id < _images.Count && !_deleted.Contains(id);

    private T Read<T>(Func<T> read) => _gate.Reading(read);
}
