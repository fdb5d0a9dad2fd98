using Lookalike.Evaluation.Metrics;

namespace Lookalike.Evaluation.Tests;

public sealed class RetrievalMetricsTests
{
    private static bool[] Rel(params int[] flags) => flags.Select(f => f == 1).ToArray();

    [Fact]
    public void Average_precision_at_k_matches_hand_computation()
    {
        // P@1 = 1 and P@3 = 2/3 at the relevant ranks; min(R = 3, k = 5) = 3.
        Assert.Equal((1 + (2 / 3.0)) / 3, RetrievalMetrics.AveragePrecision(Rel(1, 0, 1, 0, 0), totalRelevant: 3, k: 5), 12);
        // Only the first two ranks count; min(R = 5, k = 2) = 2.
        Assert.Equal(0.5 / 2, RetrievalMetrics.AveragePrecision(Rel(0, 1, 1, 1), totalRelevant: 5, k: 2), 12);
        // Full ranking: normalised by R.
        Assert.Equal((1 + (2 / 3.0) + (3 / 6.0)) / 3, RetrievalMetrics.AveragePrecision(Rel(1, 0, 1, 0, 0, 1), 3, 6), 12);
        Assert.Equal(1, RetrievalMetrics.AveragePrecision(Rel(1, 1), 2, 10), 12);
    }

    [Fact]
    public void A_query_without_relevant_items_has_no_average_precision()
    {
        Assert.True(double.IsNaN(RetrievalMetrics.AveragePrecision(Rel(0, 0, 0), totalRelevant: 0, k: 3)));
        Assert.Equal(0, RetrievalMetrics.AveragePrecision(Rel(0, 0, 0), totalRelevant: 4, k: 3));
    }

    [Fact]
    public void Precision_hits_and_recall_count_missing_results_as_misses()
    {
        Assert.Equal(0.3, RetrievalMetrics.PrecisionAt(Rel(1, 1, 0, 0, 1), 10), 12);
        Assert.Equal(2 / 3.0, RetrievalMetrics.PrecisionAt(Rel(1, 1, 0, 0, 1), 3), 12);
        Assert.False(RetrievalMetrics.HitAt(Rel(0, 0, 1), 2));
        Assert.True(RetrievalMetrics.HitAt(Rel(0, 0, 1), 3));
        Assert.Equal(0.5, RetrievalMetrics.RecallAt([1, 2, 3, -1], [3, 2, 9, 8], 4), 12);
        Assert.Equal(0.25, RetrievalMetrics.RecallAt([-1, -1, 7, 7], [7, 1, 2, 3], 4), 12);
    }

    [Fact]
    public void Percentiles_use_the_nearest_rank()
    {
        double[] values = [5, 1, 4, 2, 3];
        Assert.Equal(3, RetrievalMetrics.Percentile(values, 0.5));
        Assert.Equal(5, RetrievalMetrics.Percentile(values, 0.95));
        Assert.Equal(1, RetrievalMetrics.Percentile(values, 0));
    }
}
