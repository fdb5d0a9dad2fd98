namespace Lookalike.Indexes;

/// <summary>Runs one search function per query, queries in parallel, and collects results and stats.</summary>
public static class ParallelSearch
{
    /// <summary>Searches one prepared query, offering candidates to the collector; returns (visited, distances computed).</summary>
    public delegate (long Visited, long Distances) SearchOne(ReadOnlySpan<float> query, TopKCollector top);

    public static SearchStats Run(int dimension, ReadOnlySpan<float> queries, int k, Span<float> distances, Span<long> ids, SearchOne search)
    {
        int n = IndexArguments.CheckSearch(dimension, queries, k, distances, ids);
        float[] queryCopy = queries.ToArray();
        float[] outDistances = new float[n * k];
        long[] outIds = new long[n * k];
        long visited = 0, computed = 0;
        Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = n == 1 ? 1 : -1 },
            () => new TopKCollector(k),
            (q, _, top) =>
            {
                var (v, c) = search(queryCopy.AsSpan(q * dimension, dimension), top);
                Interlocked.Add(ref visited, v);
                Interlocked.Add(ref computed, c);
                top.DrainSorted(outDistances.AsSpan(q * k, k), outIds.AsSpan(q * k, k));
                return top;
            },
            _ => { });
        outDistances.CopyTo(distances);
        outIds.CopyTo(ids);
        return new SearchStats(n, visited, computed);
    }
}
