using Lookalike.Evaluation.Datasets;
using Lookalike.Evaluation.Reports;
using Lookalike.Evaluation.Statistics;
using Lookalike.Features;
using Lookalike.Tests.Common;

namespace Lookalike.Evaluation.Tests.Sweeps;

public sealed class DistanceStatisticsTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    [Fact]
    public void Random_gaussian_pairs_match_the_theory()
    {
        // x, y ~ N(0, I_64): |x − y| ≈ sqrt(2·64) ≈ 11.3, cos(x, y) ≈ 0 with spread 1/sqrt(64).
        const int n = 3000, d = 64;
        var data = new LabeledVectors("gaussian", d, RandomVectors.Gaussian(n, d, seed: 11), new string?[n],
            [.. Enumerable.Range(0, n).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        var report = DistanceStatistics.Measure(data, pairs: 5000, neighbourSamples: 50);

        Assert.Equal(Math.Sqrt(2 * d), report.RandomPairs.Euclidean.Mean, 0.25);
        Assert.Equal(0, report.RandomPairs.Cosine.Mean, 0.01);
        Assert.InRange(report.RandomPairs.Cosine.P95, 0.12, 0.25);
        Assert.Equal(Math.Sqrt(d), report.MeanNorm, 0.3);
        Assert.True(report.Neighbours.Euclidean.Mean < report.RandomPairs.Euclidean.P5);
        Assert.Empty(report.SameClassPairs);
    }

    [Fact]
    public void Same_class_pairs_are_closer_and_histograms_are_written()
    {
        var data = Sweeps.SeededSets.Clustered(2000, 16, clusters: 4, seed: 12);
        var report = DistanceStatistics.Measure(data, pairs: 4000, neighbourSamples: 40);
        Assert.Equal(4, report.SameClassPairs.Count);
        foreach (var pair in report.SameClassPairs.Values)
            Assert.True(pair.Euclidean.Mean < report.RandomPairs.Euclidean.Mean && pair.Cosine.Mean > report.RandomPairs.Cosine.Mean);

        var files = StatisticsReportWriter.Write(report, _temp.Path, html: true);
        Assert.Contains("stats.html", files);
        foreach (string png in files.Where(f => f.EndsWith(".png", StringComparison.Ordinal))) SweepTests.AssertPng(_temp.Combine(png));
        Assert.Equal(4, files.Count(f => f.EndsWith(".png", StringComparison.Ordinal)));
        Assert.Contains("| random | Euclidean distance | 4000 |", File.ReadAllText(_temp.Combine("stats.md")));
    }

    public void Dispose() => _temp.Dispose();
}
