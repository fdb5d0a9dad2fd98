using System.Numerics.Tensors;

namespace Lookalike.Indexes;

/// <summary>Distance kernels over <see cref="TensorPrimitives"/>.</summary>
public static class Distances
{
    /// <summary>
    /// Distance between <paramref name="x"/> and <paramref name="y"/>. For <see cref="DistanceMetric.Cosine"/>
    /// both must already be L2-normalised (see <see cref="Normalize"/>).
    /// </summary>
    public static float Compute(DistanceMetric metric, ReadOnlySpan<float> x, ReadOnlySpan<float> y) =>
        metric == DistanceMetric.L2
            ? TensorPrimitives.Distance(x, y)
            : 1f - TensorPrimitives.Dot(x, y);

    /// <summary>A copy of the n×<paramref name="dimension"/> rows as an index of <paramref name="metric"/> compares them (each row normalised for cosine).</summary>
    public static float[] Prepared(ReadOnlySpan<float> vectors, int dimension, DistanceMetric metric)
    {
        var copy = vectors.ToArray();
        if (metric == DistanceMetric.Cosine)
        {
            for (int i = 0; i < copy.Length / dimension; i++) Normalize(copy.AsSpan(i * dimension, dimension));
        }
        return copy;
    }

    /// <summary>Scales <paramref name="vector"/> to unit length in place; a zero vector stays zero.</summary>
    public static void Normalize(Span<float> vector)
    {
        float norm = TensorPrimitives.Norm(vector);
        if (norm > 0) TensorPrimitives.Divide(vector, norm, vector);
    }

    /// <summary>Cosine similarity of two vectors of any length.</summary>
    public static float CosineSimilarity(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        float nx = TensorPrimitives.Norm(x), ny = TensorPrimitives.Norm(y);
        return nx == 0 || ny == 0 ? 0 : TensorPrimitives.Dot(x, y) / (nx * ny);
    }
}
