namespace Lookalike.Indexes;

/// <summary>Search-time knobs of the hashing indexes.</summary>
public sealed class LshSearchParameters : SearchParameters
{
    /// <summary>
    /// Extra buckets probed per table: perturbation sets for <see cref="E2Lsh"/>, Hamming radius for
    /// <see cref="HyperplaneLsh"/>. Null keeps the index's own setting.
    /// </summary>
    public int? Probes { get; init; }

    /// <summary>
    /// Probing stops once this many distinct candidates were collected (FALCONN's
    /// <c>set_max_num_candidates</c>), so a query's cost is bounded whatever the bucket sizes: 0 for no
    /// budget, null keeps the index's own setting.
    /// </summary>
    public int? MaxCandidates { get; init; }

    /// <summary>
    /// With a budget, whether the candidates visited are those found in the most probed buckets
    /// (collision counting: every bucket is read, only the budget gets distances) instead of the
    /// first found; null keeps the index's own setting.
    /// </summary>
    public bool? CountCollisions { get; init; }
}
