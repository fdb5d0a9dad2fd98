namespace Lookalike.Indexes;

/// <summary>How two vectors are compared; smaller distances are always more similar.</summary>
public enum DistanceMetric
{
    /// <summary>Euclidean distance ‖x − y‖₂.</summary>
    L2,

    /// <summary>Cosine distance 1 − cos(x, y), in [0, 2]; the similarity is 1 − distance.</summary>
    Cosine,
}

/// <summary>Parsing and naming of <see cref="DistanceMetric"/> as users type it.</summary>
public static class DistanceMetrics
{
    /// <summary>Parses "l2", "euclidean" or "cosine" (any case).</summary>
    /// <exception cref="Errors.LookalikeException">for anything else.</exception>
    public static DistanceMetric Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "l2" or "euclidean" => DistanceMetric.L2,
        "cosine" or "cos" => DistanceMetric.Cosine,
        _ => throw new Errors.LookalikeException($"Unknown metric '{text}': use l2 or cosine."),
    };

    /// <summary>The lower-case name used in manifests, specs and output.</summary>
    public static string Name(this DistanceMetric metric) => metric == DistanceMetric.L2 ? "l2" : "cosine";

}
