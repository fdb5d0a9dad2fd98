namespace Lookalike.Indexes;

/// <summary>
/// What every index over a <see cref="VectorStore"/> shares: the store, the members that only read
/// it, and ranking a bucket of candidate rows by exact distance.
/// </summary>
/// <remarks>Concurrent searches are safe; adding and removing need exclusive access.</remarks>
public abstract class StoredVectorIndex : IVectorIndex
{
    private readonly System.Collections.Concurrent.ConcurrentBag<VisitedSet> _visited = [];
    private readonly System.Collections.Concurrent.ConcurrentBag<CollisionCounter> _counters = [];

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

    /// <summary>
    /// Starts one query's walk over buckets: with <paramref name="budget"/>.<see cref="CandidateBudget.CountCollisions"/>
    /// the buckets are only counted and <see cref="BucketWalk.Finish"/> visits the rows found in most of them;
    /// otherwise each bucket is visited as it is offered, until the budget is spent.
    /// </summary>
    protected BucketWalk StartWalk(ReadOnlySpan<float> preparedQuery, TopKCollector top, CandidateBudget budget)
    {
        CollisionCounter? counter = null;
        if (budget.CountCollisions && budget.MaxCandidates > 0)
        {
            counter = _counters.TryTake(out var pooled) ? pooled : new CollisionCounter();
            counter.Clear(Store.RowCount);
        }
        return new BucketWalk(this, preparedQuery, top, RentVisited(), counter, budget.MaxCandidates);
    }

    /// <summary>One query's walk over the buckets of a hashing index (see <see cref="StartWalk"/>).</summary>
    protected ref struct BucketWalk
    {
        private readonly StoredVectorIndex _index;
        private readonly ReadOnlySpan<float> _query;
        private readonly TopKCollector _top;
        private readonly VisitedSet _visited;
        private readonly CollisionCounter? _counter;
        private readonly int _budget;

        internal BucketWalk(StoredVectorIndex index, ReadOnlySpan<float> query, TopKCollector top, VisitedSet visited, CollisionCounter? counter, int budget)
        {
            _index = index;
            _query = query;
            _top = top;
            _visited = visited;
            _counter = counter;
            _budget = budget;
        }

        /// <summary>Whether more buckets would add nothing: the budget is spent (never while counting).</summary>
        public readonly bool Spent => _counter is null && StoredVectorIndex.Spent(_visited, _budget);

        /// <summary>Visits (or counts) the rows of one bucket.</summary>
        public readonly void Offer(List<int>? bucket)
        {
            if (_counter is not null) _counter.Add(bucket);
            else _index.Visit(bucket, _query, _visited, _top, _budget);
        }

        /// <summary>Visits the most collided rows when counting, returns the pooled sets; (rows visited, distances computed).</summary>
        public readonly (long Visited, long Distances) Finish()
        {
            if (_counter is not null)
            {
                var top = _top;
                var store = _index.Store;
                _index.Visit(_counter.MostCollided(_budget, top.Filters ? row => top.Admits(store.IdOf(row)) : null), _query, _visited, _top);
                _index._counters.Add(_counter);
            }
            return _index.ReturnVisited(_visited);
        }
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
