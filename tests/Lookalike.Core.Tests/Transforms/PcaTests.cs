using Lookalike.Tests.Common;
using Lookalike.Transforms;

namespace Lookalike.Core.Tests.Transforms;

public sealed class PcaTests
{
    /// <summary>Data with a known spread: independent axes with standard deviations 1..d, then rotated.</summary>
    private static float[] Anisotropic(int n, int d, int seed)
    {
        float[] g = RandomVectors.Gaussian(n, d, seed);
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) g[(i * d) + j] = (g[(i * d) + j] * (j + 1)) + 5;
        return g;
    }

    private static double[] Covariance(float[] data, int d)
    {
        int n = data.Length / d;
        var mean = new double[d];
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) mean[j] += data[(i * d) + j] / (double)n;
        var c = new double[d * d];
        for (int i = 0; i < n; i++)
        {
            for (int a = 0; a < d; a++)
            {
                for (int b = 0; b < d; b++) c[(a * d) + b] += (data[(i * d) + a] - mean[a]) * (data[(i * d) + b] - mean[b]) / n;
            }
        }
        return c;
    }

    [Theory]
    [InlineData(12, 4)]
    [InlineData(80, 10)] // above 64 dimensions the fit uses subspace iteration, checked here against Jacobi
    public void Variances_and_reconstruction_match_an_exact_eigendecomposition(int d, int keep)
    {
        float[] data = Anisotropic(3000, d, seed: 9);
        var pca = Pca.Fit(data, d, keep);
        var (values, _) = SymmetricEigen.Jacobi(Covariance(data, d), d);

        for (int i = 0; i < keep; i++) Assert.Equal(values[i], pca.Variances[i], values[i] * 1e-3);
        Assert.Equal(values.Sum(), pca.TotalVariance, values.Sum() * 1e-4);
        Assert.Equal(values.Take(keep).Sum() / values.Sum(), pca.ExplainedVarianceRatio, 1e-3);

        // Mean squared reconstruction error = the discarded eigenvalues.
        float[] restored = pca.Reconstruct(pca.Transform(data));
        double error = 0;
        for (int i = 0; i < data.Length; i++) error += Math.Pow(data[i] - restored[i], 2);
        error /= 3000;
        double discarded = values.Skip(keep).Sum();
        Assert.Equal(discarded, error, discarded * 2e-3);
    }

    [Fact]
    public void Keeping_every_axis_loses_nothing_and_axes_are_orthonormal()
    {
        float[] data = Anisotropic(500, 6, seed: 2);
        var pca = Pca.Fit(data, 6, 6);
        float[] restored = pca.Reconstruct(pca.Transform(data));
        for (int i = 0; i < data.Length; i++) Assert.Equal(data[i], restored[i], 1e-3);
        for (int a = 0; a < 6; a++)
        {
            for (int b = 0; b < 6; b++)
            {
                double dot = 0;
                for (int j = 0; j < 6; j++) dot += pca.Components[(a * 6) + j] * pca.Components[(b * 6) + j];
                Assert.Equal(a == b ? 1 : 0, dot, 1e-4);
            }
        }
    }

    [Fact]
    public void Jacobi_diagonalises_a_known_matrix()
    {
        // [[2,1],[1,2]] has eigenvalues 3 and 1 with eigenvectors (1,1)/√2 and (1,−1)/√2.
        var (values, vectors) = SymmetricEigen.Jacobi([2, 1, 1, 2], 2);
        Assert.Equal(3, values[0], 12);
        Assert.Equal(1, values[1], 12);
        Assert.Equal(Math.Abs(vectors[0]), Math.Abs(vectors[2]), 12);
    }
}
