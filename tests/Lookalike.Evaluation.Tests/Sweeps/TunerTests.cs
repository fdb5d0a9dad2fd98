using Lookalike.Errors;
using Lookalike.Evaluation.Tuning;
using Lookalike.Indexes;

namespace Lookalike.Evaluation.Tests.Sweeps;

public sealed class TunerTests
{
    [Fact]
    public void Tuning_reaches_the_target_recall_on_a_held_out_sample()
    {
        var data = SeededSets.Clustered(4000, 24, clusters: 40, seed: 7);
        var result = LshTuner.Tune(data, new TuneOptions(0.9, DistanceMetric.L2, SampleQueries: 150, Seed: 5));

        Assert.NotNull(result.Spec);
        Assert.StartsWith("E2Lsh(", result.Spec);
        Assert.True(result.TuningRecall >= 0.9, $"tuning recall {result.TuningRecall}");
        // The second held-out sample was never used for choosing: sampling noise on 150 queries allows a little slack.
        Assert.True(result.CheckRecall >= 0.87, $"held-out recall {result.CheckRecall}");
        Assert.InRange(result.CheckVisitedPercent, 0.01, 60);
        Assert.Equal(4000 - 300, result.Database);
        Assert.Equal(result.Candidates.Min(c => c.VisitedPercent), result.Candidates[0].VisitedPercent);
        Assert.True(result.TenthNeighbourDistance > 0);
    }

    [Fact]
    public void Cosine_data_is_tuned_in_the_normalised_space()
    {
        var data = SeededSets.Clustered(3000, 16, clusters: 30, seed: 8);
        var result = LshTuner.Tune(data, new TuneOptions(0.8, DistanceMetric.Cosine, SampleQueries: 100));
        Assert.NotNull(result.Spec);
        Assert.InRange(result.TenthNeighbourDistance, 0, 2); // unit vectors are at most 2 apart
        Assert.True(result.CheckRecall >= 0.75, $"held-out recall {result.CheckRecall}");
    }

    [Fact]
    public void The_lsh_family_weighs_every_hashing_index_and_keeps_to_the_visit_limit()
    {
        // Non-negative data (as ReLU features are): centred angular hashes split it well.
        var clustered = SeededSets.Clustered(4000, 32, clusters: 40, seed: 9);
        var data = clustered with { Vectors = [.. clustered.Vectors.Select(v => MathF.Abs(v) + 1f)] };
        var result = LshTuner.Tune(data, new TuneOptions(0.9, DistanceMetric.Cosine, SampleQueries: 100, Family: TuneOptions.LshFamily, MaxVisitedPercent: 30));

        Assert.NotNull(result.Spec);
        Assert.Contains(result.Candidates, c => c.Spec.StartsWith("CrossPolytopeLsh(", StringComparison.Ordinal));
        Assert.Contains(result.Candidates, c => c.Spec.StartsWith("HyperplaneLsh(", StringComparison.Ordinal));
        Assert.Contains(result.Candidates, c => c.Spec.StartsWith("E2Lsh(", StringComparison.Ordinal));
        // Collision counting is weighed too, and its budget is what it visits.
        var counting = result.Candidates.Where(c => c.Spec.Contains("countCollisions=1", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(counting);
        Assert.All(counting, c => Assert.True(c.Recall >= 0.9 && c.VisitedPercent > 0));
        var chosen = result.Candidates.Single(c => c.Spec == result.Spec);
        Assert.Equal(result.Candidates.Where(c => c.VisitedPercent <= 30).Min(c => c.VisitedPercent), chosen.VisitedPercent);
        Assert.True(result.TuningRecall >= 0.9);
        Assert.True(result.CheckRecall >= 0.85, $"held-out recall {result.CheckRecall}");
        Assert.True(result.CheckQueriesPerSecond.Chosen > 0 && result.CheckQueriesPerSecond.Flat > 0);
        // The chosen spec rebuilds as it was measured.
        using var rebuilt = IndexRegistry.Builtin.Create(32, result.Spec!, DistanceMetric.Cosine);
        Assert.Equal(result.Spec!.Split('(')[0], rebuilt.Spec.Split('(')[0]);

        var none = LshTuner.Tune(data, new TuneOptions(0.9, DistanceMetric.Cosine, SampleQueries: 100, Family: TuneOptions.LshFamily, MaxVisitedPercent: 0.001));
        Assert.Null(none.Spec);
        Assert.Throws<LookalikeException>(() => LshTuner.Tune(data, new TuneOptions(0.9, DistanceMetric.Cosine, Family: "pq")));
    }

    [Fact]
    public void Too_little_data_or_a_bad_target_is_refused()
    {
        var data = SeededSets.Clustered(200, 4, clusters: 2, seed: 1);
        Assert.Throws<LookalikeException>(() => LshTuner.Tune(data, new TuneOptions(0.9, DistanceMetric.L2)));
        Assert.Throws<LookalikeException>(() => LshTuner.Tune(data, new TuneOptions(1.5, DistanceMetric.L2, SampleQueries: 20)));
    }
}
