namespace Lookalike.Indexes;

public sealed partial class Hnsw
{
    /// <inheritdoc/>
    public override SearchStats Search(ReadOnlySpan<float> queries, int k, Span<float> distances, Span<long> ids,
        SearchParameters? parameters = null)
    {
        int ef = (parameters as HnswSearchParameters)?.EfSearch ?? Options.EfSearch;
        if (ef < 1) throw new Errors.LookalikeException($"efSearch must be at least 1 (was {ef}).");
        var filter = parameters?.Filter;
        // Without a filter or removed rows every node found is a result, and the walk may stop as soon as
        // its nearest candidate is farther than its worst result (hnswlib without deletions).
        var accept = filter is null && Store.Count == Store.RowCount ? null : new QueryFilter(Store, filter);
        return ParallelSearch.Run(Store, queries, k, distances, ids, parameters, (query, top) =>
        {
            if (_entry < 0 || Store.Count == 0) return (0, 0);
            var scratch = Rent();
            try
            {
                long computed = 1;
                int current = _entry;
                float distance = Store.RankingDistance(query, current);
                for (int layer = _top; layer > 0; layer--) (current, distance) = Greedy(query, current, distance, layer, scratch, ref computed);
                SearchLayer(query, current, distance, Math.Max(ef, k), 0, scratch, accept, ref computed);
                var results = scratch.Results;
                for (; results.Count > 0; results.Pop()) top.Offer(results.TopDistance, Store.IdOf(results.TopRow));
                return (scratch.Visited.Count, computed);
            }
            finally
            {
                _scratch.Add(scratch);
            }
        });
    }

    /// <summary>Which rows a query may return: live ones its filter allows.</summary>
    private sealed class QueryFilter(VectorStore store, SearchFilter? filter)
    {
        public bool Accepts(int row) => !store.IsRemoved(row) && (filter is null || filter.Allows(store.IdOf(row)));
    }
}
