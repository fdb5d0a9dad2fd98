namespace Lookalike.Indexes;

/// <summary>Search-time knobs of the hashing indexes.</summary>
public sealed class LshSearchParameters : SearchParameters
{
    /// <summary>
    /// Extra buckets probed per table: perturbation sets for <see cref="E2Lsh"/>, Hamming radius for
    /// <see cref="HyperplaneLsh"/>. Null keeps the index's own setting.
    /// </summary>
    public int? Probes { get; init; }
}
