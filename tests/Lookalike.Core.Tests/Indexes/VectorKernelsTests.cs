using Lookalike.Indexes;
using Lookalike.Tests.Common;

namespace Lookalike.Core.Tests.Indexes;

public sealed class VectorKernelsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(33)]
    [InlineData(784)]
    [InlineData(2051)]
    public void Kernels_agree_with_double_precision_sums(int d)
    {
        float[] x = RandomVectors.Gaussian(6, d, seed: d);
        double Dot(int a, int b)
        {
            double sum = 0;
            for (int j = 0; j < d; j++) sum += (double)x[(a * d) + j] * x[(b * d) + j];
            return sum;
        }
        double squared = Dot(0, 0) + Dot(1, 1) - (2 * Dot(0, 1));
        Assert.Equal(squared, VectorKernels.SquaredL2(x.AsSpan(0, d), x.AsSpan(d, d)), squared * 1e-5);
        var dots = new float[8];
        VectorKernels.Dot4x2(x.AsSpan(0, 4 * d), x.AsSpan(4 * d, d), x.AsSpan(5 * d, d), dots);
        for (int q = 0; q < 4; q++)
        {
            Assert.Equal(Dot(q, 4), dots[2 * q], 1e-3 * Math.Sqrt(d));
            Assert.Equal(Dot(q, 5), dots[(2 * q) + 1], 1e-3 * Math.Sqrt(d));
        }
        float[] y = RandomVectors.Gaussian(4, d, seed: d + 1);
        var block = new float[16];
        VectorKernels.Dot4x4(x.AsSpan(0, 4 * d), y.AsSpan(0, d), y.AsSpan(d, d), y.AsSpan(2 * d, d), y.AsSpan(3 * d, d), block);
        for (int q = 0; q < 4; q++)
        {
            for (int r = 0; r < 4; r++)
            {
                double expected = 0;
                for (int j = 0; j < d; j++) expected += (double)x[(q * d) + j] * y[(r * d) + j];
                Assert.Equal(expected, block[(4 * q) + r], 1e-3 * Math.Sqrt(d));
            }
        }
    }

    [Fact]
    public void The_blocked_scan_reranks_near_duplicates_exactly()
    {
        // Large norms (raw pixels) make ‖q‖² + ‖x‖² − 2q·x lose the small distances; the k found are re-ranked exactly.
        const int d = 784;
        var random = new Random(3);
        float[] data = [.. Enumerable.Range(0, 400 * d).Select(_ => (float)random.Next(256))];
        for (int j = 0; j < d; j++) data[(1 * d) + j] = data[j] + (j == 0 ? 1 : 0);
        using var index = new Flat(d, DistanceMetric.L2);
        index.Add(data, RandomVectors.Ids(400));
        var queries = data.AsSpan(0, 4 * d).ToArray();
        var (distances, ids) = (new float[8], new long[8]);
        index.Search(queries, 2, distances, ids);
        Assert.Equal([0L, 1L], ids[..2]);
        Assert.Equal(0f, distances[0]);
        Assert.Equal(1f, distances[1]);
    }
}
