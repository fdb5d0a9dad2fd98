namespace Lookalike.Indexes;

/// <summary>
/// Query-directed probing sequence of Lv et al. (VLDB 2007): the perturbation vectors Δ ∈ {−1, 0, +1}^k
/// in increasing order of score Σ x_i(δ_i)², where x_i(−1) is the query's distance to the lower
/// slot boundary and x_i(+1) to the upper one (in units of w). Generated lazily with the
/// shift/expand heap over the 2k boundary distances sorted ascending.
/// </summary>
internal static class MultiProbe
{
    /// <param name="fraction">Position of the query inside each slot, in [0, 1).</param>
    /// <param name="count">How many perturbations to produce.</param>
    public static IEnumerable<(int Coordinate, int Delta)[]> Sequence(ReadOnlySpan<double> fraction, int count)
    {
        int k = fraction.Length;
        var boundaries = new (double Score, int Coordinate, int Delta)[2 * k];
        for (int i = 0; i < k; i++)
        {
            boundaries[2 * i] = (fraction[i] * fraction[i], i, -1);
            boundaries[(2 * i) + 1] = ((1 - fraction[i]) * (1 - fraction[i]), i, +1);
        }
        Array.Sort(boundaries, (a, b) => a.Score != b.Score ? a.Score.CompareTo(b.Score) : (a.Coordinate, a.Delta).CompareTo((b.Coordinate, b.Delta)));
        return Generate(boundaries, count);
    }

    private static IEnumerable<(int, int)[]> Generate((double Score, int Coordinate, int Delta)[] z, int count)
    {
        var heap = new PriorityQueue<int[], double>();
        heap.Enqueue([0], z[0].Score);
        int produced = 0;
        while (produced < count && heap.TryDequeue(out var set, out double score))
        {
            int last = set[^1];
            if (last + 1 < z.Length)
            {
                int[] shifted = [.. set[..^1], last + 1];
                heap.Enqueue(shifted, score - z[last].Score + z[last + 1].Score);
                int[] expanded = [.. set, last + 1];
                heap.Enqueue(expanded, score + z[last + 1].Score);
            }
            // A set that moves one coordinate both down and up is not a perturbation.
            if (set.Select(j => z[j].Coordinate).Distinct().Count() != set.Length) continue;
            produced++;
            yield return set.Select(j => (z[j].Coordinate, z[j].Delta)).ToArray();
        }
    }
}
