using System.Numerics.Tensors;

namespace Lookalike.Training.Networks;

/// <summary>Per-feature standardisation: subtract the mean, multiply by 1/std (fitted on training rows).</summary>
/// <param name="Mean">Per-feature mean.</param>
/// <param name="Scale">Per-feature 1/std (1/sqrt(variance + 1e-6)).</param>
public sealed record FeatureScaling(float[] Mean, float[] Scale)
{
    /// <summary>Fits to the n×<paramref name="dimension"/> rows of <paramref name="x"/>.</summary>
    public static FeatureScaling Fit(ReadOnlySpan<float> x, int dimension)
    {
        int n = x.Length / dimension;
        var sum = new double[dimension];
        var square = new double[dimension];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < dimension; j++)
            {
                double v = x[(i * dimension) + j];
                sum[j] += v;
                square[j] += v * v;
            }
        }
        var mean = new float[dimension];
        var scale = new float[dimension];
        for (int j = 0; j < dimension; j++)
        {
            double mu = sum[j] / n;
            mean[j] = (float)mu;
            scale[j] = (float)(1 / Math.Sqrt(Math.Max(0, (square[j] / n) - (mu * mu)) + 1e-6));
        }
        return new FeatureScaling(mean, scale);
    }

    /// <summary>Standardises every row of <paramref name="x"/> into a new array.</summary>
    public float[] Apply(ReadOnlySpan<float> x)
    {
        var output = x.ToArray();
        int d = Mean.Length;
        for (int i = 0; i < output.Length / d; i++)
        {
            var row = output.AsSpan(i * d, d);
            TensorPrimitives.Subtract(row, Mean, row);
            TensorPrimitives.Multiply(row, Scale, row);
        }
        return output;
    }
}
