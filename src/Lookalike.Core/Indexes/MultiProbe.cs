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

    private static IEnumerable<(int, int)[]> Generate((double Score, int Coordinate, int Delta)[] z, int count) =>
        CheapestSubsets.InOrder([.. z.Select(b => b.Score)])
            // A set that moves one coordinate both down and up is not a perturbation.
            .Where(set => set.Select(j => z[j].Coordinate).Distinct().Count() == set.Length)
            .Take(count)
            .Select(set => set.Select(j => (z[j].Coordinate, z[j].Delta)).ToArray());
}
