namespace Lookalike.Indexes;

/// <summary>
/// What every index over a <see cref="VectorStore"/> shares: the store, the members that only read
/// it, and ranking a bucket of candidate rows by exact distance.
/// </summary>
/// <remarks>Concurrent searches are safe; adding and removing need exclusive access.</remarks>
public abstract class StoredVectorIndex : IVectorIndex
{
    private readonly System.Collections.Concurrent.ConcurrentBag<VisitedSet> _visited = [];

    /// <summary>Wraps <paramref name="store"/>.</summary>
    protected StoredVectorIndex(VectorStore store) => Store = store;

    /// <summary>The vectors, ids and removal marks.</summary>
    protected VectorStore Store { get; }

    /// <inheritdoc/>
    public int Dimension => Store.Dimension;

    /// <inheritdoc/>
    public long Count => Store.Count;

    /// <inheritdoc/>
    public DistanceMetric Metric => Store.Metric;

    /// <inheritdoc/>
    public virtual bool IsTrained => true;

    /// <inheritdoc/>
    public abstract string Spec { get; }

    /// <inheritdoc/>
    public virtual void Train(ReadOnlySpan<float> vectors) => IndexArguments.RowCount(vectors, Dimension, "the training vectors");

    /// <inheritdoc/>
    public abstract void Add(ReadOnlySpan<float> vectors, ReadOnlySpan<long> ids);

    /// <inheritdoc/>
    public abstract void Remove(ReadOnlySpan<long> ids);

    /// <inheritdoc/>
    public abstract SearchStats Search(ReadOnlySpan<float> queries, int k, Span<float> distances, Span<long> ids,
        SearchParameters? parameters = null);

    /// <inheritdoc/>
    public abstract IVectorIndex CloneEmpty();

    /// <inheritdoc/>
    public abstract void WriteTo(BinaryWriter writer);

    /// <summary>
    /// Offers each row of <paramref name="bucket"/> not seen yet for this query to <paramref name="top"/>,
    /// stopping once <paramref name="budget"/> distinct rows were visited (0: no budget).
    /// </summary>
    protected void Visit(List<int>? bucket, ReadOnlySpan<float> preparedQuery, VisitedSet visited, TopKCollector top, int budget = 0)
    {
        if (bucket is null) return;
        foreach (int row in bucket)
        {
            if (Spent(visited, budget)) return;
            if (visited.Add(row)) top.Offer(Store.RankingDistance(preparedQuery, row), Store.IdOf(row));
        }
    }

    /// <summary>Whether a query has visited its budget of candidates (never with budget 0).</summary>
    protected static bool Spent(VisitedSet visited, int budget) => budget > 0 && visited.Count >= budget;

    /// <summary>A cleared visited set for one query, reused across queries (no allocation per query).</summary>
    protected VisitedSet RentVisited()
    {
        var visited = _visited.TryTake(out var pooled) ? pooled : new VisitedSet();
        visited.Clear(Store.RowCount);
        return visited;
    }

    /// <summary>Puts a set from <see cref="RentVisited"/> back; returns (rows visited, distances computed), which are the same for bucket scans.</summary>
    protected (long Visited, long Distances) ReturnVisited(VisitedSet visited)
    {
        _visited.Add(visited);
        return (visited.Count, visited.Count);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases resources; the base holds only managed memory.</summary>
    protected virtual void Dispose(bool disposing) { }
}
