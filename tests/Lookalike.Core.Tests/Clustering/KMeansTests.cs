using Lookalike.Clustering;
using Lookalike.Errors;
using Lookalike.Tests.Common;

namespace Lookalike.Core.Tests.Clustering;

public sealed class KMeansTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void The_objective_never_increases(int seed)
    {
        float[] data = RecallMeter.Clustered(3000, 8, clusters: 12, seed);
        var result = KMeans.Fit(data, 8, k: 20, iterations: 30, seed: seed);
        Assert.True(result.Objective.Count >= 2);
        for (int i = 1; i < result.Objective.Count; i++)
            Assert.True(result.Objective[i] <= result.Objective[i - 1] * (1 + 1e-6), $"objective rose at iteration {i}: {result.Objective[i - 1]} → {result.Objective[i]}");
        Assert.Null(result.Warning);
    }

    [Fact]
    public void Well_separated_clusters_are_found()
    {
        // Four tight blobs far apart: every centroid lands in its own blob.
        var centres = new[] { (0f, 0f), (100f, 0f), (0f, 100f), (100f, 100f) };
        var random = new Random(3);
        var data = new float[400 * 2];
        for (int i = 0; i < 400; i++)
        {
            var (x, y) = centres[i % 4];
            data[2 * i] = x + (float)random.NextDouble();
            data[(2 * i) + 1] = y + (float)random.NextDouble();
        }
        var result = KMeans.Fit(data, 2, k: 4, seed: 7);
        var found = Enumerable.Range(0, 4).Select(c => (Math.Round(result.Centroids[2 * c] / 100), Math.Round(result.Centroids[(2 * c) + 1] / 100)))
            .Order().ToList();
        Assert.Equal([(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)], found);
        Assert.Equal(0, result.Nearest([1f, 1f]) == result.Nearest([0.5f, 0.2f]) ? 0 : 1);
    }

    [Fact]
    public void Empty_clusters_are_repaired_and_few_points_warn()
    {
        // Twelve copies of only three distinct points but five centroids: k-means++ must reuse points, leaving clusters empty.
        float[] data = [.. Enumerable.Range(0, 12).SelectMany(i => new[] { (float)(i % 3), 0f })];
        var result = KMeans.Fit(data, 2, k: 5, seed: 1);
        Assert.NotNull(result.Warning);
        Assert.Contains("39", result.Warning);
        Assert.All(result.Centroids, v => Assert.True(float.IsFinite(v)));
        Assert.Equal(0, result.Objective[^1], 6);
    }

    [Fact]
    public void Too_few_points_are_refused() =>
        Assert.Throws<LookalikeException>(() => KMeans.Fit(new float[6], 2, k: 4));
}
