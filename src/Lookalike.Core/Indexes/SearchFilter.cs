namespace Lookalike.Indexes;

/// <summary>
/// Which ids a search may return: an allow-list or a predicate, applied while an index searches
/// (not to its results afterwards, so k results come back whenever k allowed vectors exist).
/// </summary>
/// <remarks>The predicate is called from many threads at once and must be thread-safe.</remarks>
public sealed class SearchFilter
{
    private readonly Func<long, bool>? _predicate;
    private readonly HashSet<long>? _allowed;

    private SearchFilter(Func<long, bool>? predicate, HashSet<long>? allowed) => (_predicate, _allowed) = (predicate, allowed);

    /// <summary>Only these ids.</summary>
    public static SearchFilter Allow(IEnumerable<long> ids) => new(null, [.. ids]);

    /// <summary>Only ids for which <paramref name="predicate"/> holds.</summary>
    public static SearchFilter Where(Func<long, bool> predicate) => new(predicate ?? throw new ArgumentNullException(nameof(predicate)), null);

    /// <summary>The allowed ids when the filter is an allow-list (their number bounds the results), else null.</summary>
    public IReadOnlyCollection<long>? AllowList => _allowed;

    /// <summary>Whether <paramref name="id"/> may be returned.</summary>
    public bool Allows(long id) => _allowed?.Contains(id) ?? _predicate!(id);
}
