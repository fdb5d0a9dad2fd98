namespace Lookalike.Indexes;

/// <summary>
/// Runs one search function per query, queries in parallel, and collects results and stats. Queries
/// are read and results written in place (no copies); each worker keeps one collector and one
/// query buffer for all its queries. A search with a small allow-list ranks the allowed vectors
/// exactly (as Qdrant plans a filtered search by its cardinality).
/// </summary>
public static unsafe class ParallelSearch
{
    /// <summary>
    /// Searches one query, prepared as the store compares rows, offering (ranking distance, id)
    /// pairs to the collector; returns (visited, distances computed).
    /// </summary>
    public delegate (long Visited, long Distances) SearchOne(ReadOnlySpan<float> preparedQuery, TopKCollector top);

    /// <summary>An allow-list of at most this share of the live vectors is ranked exactly, whatever the index.</summary>
    public const double ExactAllowListShare = 0.02;

    /// <summary>
    /// Searches every query of <paramref name="queries"/> against <paramref name="store"/>'s rows with
    /// <paramref name="search"/>; the collectors apply <see cref="SearchParameters.Filter"/>, and L2
    /// ranking distances (squared) are reported as distances.
    /// </summary>
    public static SearchStats Run(VectorStore store, ReadOnlySpan<float> queries, int k, Span<float> distances, Span<long> ids,
        SearchParameters? parameters, SearchOne search)
    {
        int dimension = store.Dimension;
        int n = IndexArguments.CheckSearch(dimension, queries, k, distances, ids);
        bool root = store.Metric == DistanceMetric.L2;
        var filter = parameters?.Filter;
        if (filter?.AllowList is { } allowed && allowed.Count <= ExactAllowListShare * store.Count)
        {
            // A small allow-list is cheaper to rank exactly than to find among everything it excludes.
            search = (query, top) => RankAllowed(store, query, allowed, top);
        }
        if (n == 1)
        {
            var top = new TopKCollector(k, filter);
            Span<float> buffer = dimension <= 4096 ? stackalloc float[dimension] : new float[dimension];
            var (v, c) = search(store.PrepareQuery(queries, buffer), top);
            top.DrainSorted(distances, ids, root);
            return new SearchStats(1, v, c);
        }
        long visited = 0, computed = 0;
        fixed (float* queryPointer = queries)
        fixed (float* distancePointer = distances)
        fixed (long* idPointer = ids)
        {
            nint q0 = (nint)queryPointer, d0 = (nint)distancePointer, i0 = (nint)idPointer;
            Parallel.For(0, n, SearchParameters.Parallelism(parameters), () => (Top: new TopKCollector(k, filter), Buffer: new float[dimension]),
                (q, _, local) =>
                {
                    var query = new ReadOnlySpan<float>((float*)q0 + ((long)q * dimension), dimension);
                    var (v, c) = search(store.PrepareQuery(query, local.Buffer), local.Top);
                    Interlocked.Add(ref visited, v);
                    Interlocked.Add(ref computed, c);
                    local.Top.DrainSorted(new Span<float>((float*)d0 + ((long)q * k), k), new Span<long>((long*)i0 + ((long)q * k), k), root);
                    return local;
                },
                _ => { });
        }
        return new SearchStats(n, visited, computed);
    }

    private static (long Visited, long Distances) RankAllowed(VectorStore store, ReadOnlySpan<float> query,
        IReadOnlyCollection<long> allowed, TopKCollector top)
    {
        long computed = 0;
        foreach (long id in allowed)
        {
            if (!store.TryGetRow(id, out int row)) continue;
            top.Offer(store.RankingDistance(query, row), id);
            computed++;
        }
        return (computed, computed);
    }
}
