namespace Lookalike.Indexes;

/// <summary>
/// Non-empty subsets of items sorted by cost, cheapest total first, generated lazily with the
/// shift/expand heap of Lv et al. (2007, multi-probe LSH): the probing order of every hashing index.
/// </summary>
public static class CheapestSubsets
{
    /// <summary>Subsets (as ascending positions into <paramref name="sortedCosts"/>, which must be ascending) by increasing total cost.</summary>
    public static IEnumerable<int[]> InOrder(IReadOnlyList<double> sortedCosts)
    {
        if (sortedCosts.Count == 0) yield break;
        var heap = new PriorityQueue<int[], double>();
        heap.Enqueue([0], sortedCosts[0]);
        while (heap.TryDequeue(out var set, out double cost))
        {
            int last = set[^1];
            if (last + 1 < sortedCosts.Count)
            {
                heap.Enqueue([.. set[..^1], last + 1], cost - sortedCosts[last] + sortedCosts[last + 1]);
                heap.Enqueue([.. set, last + 1], cost + sortedCosts[last + 1]);
            }
            yield return set;
        }
    }
}
