namespace Lookalike.Indexes;

/// <summary>
/// Search-time knobs. Index families subclass it (e.g. probes for LSH, nprobe for IVF); an index
/// ignores parameters it does not understand.
/// </summary>
public class SearchParameters
{
    private SearchFilter? _filter;

    /// <summary>Which ids may be returned (all when null).</summary>
    public SearchFilter? Filter { get => _filter; init => _filter = value; }

    private int? _threads;

    /// <summary>At most this many threads for this search (all cores when null): 1 measures one core.</summary>
    public int? Threads { get => _threads; init => _threads = value; }

    /// <summary>A copy of these parameters (of the same type) with <see cref="Threads"/> set.</summary>
    public SearchParameters WithThreads(int? threads)
    {
        var copy = (SearchParameters)MemberwiseClone();
        copy._threads = threads;
        return copy;
    }

    /// <summary>A copy of these parameters (of the same type) with <see cref="Filter"/> set.</summary>
    public SearchParameters WithFilter(SearchFilter? filter)
    {
        var copy = (SearchParameters)MemberwiseClone();
        copy._filter = filter;
        return copy;
    }

    /// <summary>The <see cref="ParallelOptions"/> of <see cref="Threads"/>.</summary>
    public static ParallelOptions Parallelism(SearchParameters? parameters) =>
        new() { MaxDegreeOfParallelism = parameters?.Threads is > 0 and var threads ? threads : -1 };
}

/// <summary>What one <see cref="IVectorIndex.Search"/> call cost, summed over its queries.</summary>
/// <param name="Queries">Number of query vectors.</param>
/// <param name="CandidatesVisited">Stored vectors considered as candidates (for an exact scan: every live vector).</param>
/// <param name="DistancesComputed">Full-dimension distance evaluations.</param>
public readonly record struct SearchStats(long Queries, long CandidatesVisited, long DistancesComputed)
{
    /// <summary>Mean distance computations per query.</summary>
    public double DistancesPerQuery => Queries == 0 ? 0 : (double)DistancesComputed / Queries;

    /// <summary>Mean candidates visited per query.</summary>
    public double VisitedPerQuery => Queries == 0 ? 0 : (double)CandidatesVisited / Queries;

    /// <summary>Sums two stats.</summary>
    public static SearchStats operator +(SearchStats a, SearchStats b) =>
        new(a.Queries + b.Queries, a.CandidatesVisited + b.CandidatesVisited, a.DistancesComputed + b.DistancesComputed);
}
