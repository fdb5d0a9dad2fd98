namespace Lookalike.Indexes;

/// <summary>The one place that turns a search result into the cosine similarity shown to users.</summary>
public static class Similarity
{
    /// <summary>
    /// Cosine similarity of a query and a result found at <paramref name="distance"/> under
    /// <paramref name="metric"/>: 1 − distance for cosine; under L2 computed from the two vectors.
    /// </summary>
    public static float Of(DistanceMetric metric, float distance, ReadOnlySpan<float> query, ReadOnlySpan<float> stored) =>
        metric == DistanceMetric.Cosine ? 1f - distance : Distances.CosineSimilarity(query, stored);
}
