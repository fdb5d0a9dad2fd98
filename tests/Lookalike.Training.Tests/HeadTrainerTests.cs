using Lookalike.Features;
using Lookalike.Tests.Common;
using Lookalike.Training.Heads;

namespace Lookalike.Training.Tests;

public sealed class HeadTrainerTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    /// <summary>Clustered Gaussian features labelled by cluster.</summary>
    internal static LabeledVectors Clustered(int count, int dimension, int classes, int seed) =>
        new($"seed{seed}", dimension, RecallMeter.Clustered(count, dimension, classes, seed),
            [.. Enumerable.Range(0, count).Select(i => $"class{i % classes}")],
            [.. Enumerable.Range(0, count).Select(i => $"row{i}")]);

    [Fact]
    public void A_head_learns_separable_classes()
    {
        // Small, noisy clusters: the classes overlap a little, so a correct trainer lands well above chance (0.25) but below 1.
        var train = Clustered(800, 16, classes: 4, seed: 21);
        var validation = Clustered(400, 16, classes: 4, seed: 21);
        var result = HeadTrainer.Train(train, validation, new HeadTrainingOptions("dropout(0.2),dense(32,relu),dense(8,relu)",
            LearningRate: 1e-2, Epochs: 40, Patience: 5, BatchSize: 32));

        Assert.True(result.Report.Accuracy >= 0.97, $"validation accuracy {result.Report.Accuracy}");
        Assert.Equal(4, result.Report.Classes.Count);
        Assert.Equal(400, result.Report.Support);
        Assert.True(result.History[^1].TrainLoss < result.History[0].TrainLoss);
        Assert.Equal(8, result.Head.EmbeddingWidth);
        var embedded = result.Head.Embed(validation);
        Assert.Equal(1.0, Math.Sqrt(embedded.Row(0).ToArray().Sum(v => v * v)), 4);
    }

    [Fact]
    public void Early_stopping_restores_the_best_epoch()
    {
        // Random labels: the validation loss can only get worse once the head starts memorising.
        var train = Clustered(300, 32, classes: 3, seed: 5);
        var shuffled = train with { Labels = [.. train.Labels.Select((_, i) => $"class{(i * 7919 % 13) % 3}")] };
        var validation = Clustered(300, 32, classes: 3, seed: 6);
        var result = HeadTrainer.Train(shuffled, validation, new HeadTrainingOptions("dense(64,relu)",
            LearningRate: 1e-2, Epochs: 100, Patience: 4, BatchSize: 16, WeightDecay: 0));

        Assert.True(result.StoppedEarly);
        Assert.Equal(result.BestEpoch + 4, result.History.Count);
        double best = result.History.Min(h => h.ValidationLoss);
        Assert.Equal(best, result.History[result.BestEpoch - 1].ValidationLoss);
        // The returned weights are the best epoch's: their validation loss is the minimum, not the last epoch's.
        var again = HeadTrainer.Train(shuffled, validation, new HeadTrainingOptions("dense(64,relu)",
            LearningRate: 1e-2, Epochs: result.BestEpoch, Patience: 100, BatchSize: 16, WeightDecay: 0));
        Assert.Equal(again.Head.Network.Snapshot().SelectMany(a => a), result.Head.Network.Snapshot().SelectMany(a => a));
        Assert.True(result.History[^1].ValidationLoss > best);
    }

    [Fact]
    public void A_contrastive_head_separates_the_classes()
    {
        var train = Clustered(600, 16, classes: 3, seed: 31);
        var validation = Clustered(300, 16, classes: 3, seed: 31);
        var result = HeadTrainer.Train(train, validation, new HeadTrainingOptions("dense(32,relu),dense(8)",
            LearningRate: 5e-3, Epochs: 30, Patience: 5, BatchSize: 64, Loss: HeadLoss.Contrastive));
        Assert.True(result.Report.Accuracy >= 0.95, $"nearest-centroid accuracy {result.Report.Accuracy}");
        Assert.NotNull(result.Head.Centroids);
    }

    [Fact]
    public void A_saved_head_embeds_and_predicts_the_same()
    {
        var data = Clustered(200, 8, classes: 2, seed: 41);
        var result = HeadTrainer.Train(data, data, new HeadTrainingOptions("dropout(0.5),dense(16,relu),dense(4,tanh)",
            LearningRate: 1e-2, Epochs: 5, Patience: 5, BatchSize: 20));
        string path = _temp.Combine("head.json");
        HeadFile.Save(result.Head, path);
        var loaded = HeadFile.Load(path);
        Assert.Equal(result.Head.Embed(data).Vectors, loaded.Embed(data).Vectors);
        Assert.Equal(result.Head.Predict(data.Vectors, data.Count), loaded.Predict(data.Vectors, data.Count));
        Assert.Equal("dropout(0.5),dense(16,relu),dense(4,tanh),dense(2)", loaded.Network.Describe());
        Assert.Throws<Errors.LookalikeException>(() => HeadFile.Load(_temp.Combine("missing.json")));
    }

    [Fact]
    public void A_copied_head_embeds_the_same_and_keeps_its_weights_when_the_original_changes()
    {
        var data = Clustered(200, 8, classes: 2, seed: 43);
        var head = HeadTrainer.Train(data, data, new HeadTrainingOptions("dropout(0.5),dense(16,relu),dense(4,tanh)",
            LearningRate: 1e-2, Epochs: 3, Patience: 3, BatchSize: 20)).Head;
        var copy = head.Copy();
        var before = head.Embed(data).Vectors;
        Assert.Equal(before, copy.Embed(data).Vectors);
        Assert.Equal(head.Predict(data.Vectors, data.Count), copy.Predict(data.Vectors, data.Count));
        Assert.Equal(head.Network.Describe(), copy.Network.Describe());

        foreach (var parameter in head.Network.Parameters) Array.Fill(parameter.Value, 0.5f);
        Assert.NotEqual(before, head.Embed(data).Vectors);
        Assert.Equal(before, copy.Embed(data).Vectors);
    }

    [Theory]
    [InlineData("dense(0)")]
    [InlineData("dense(10,swish)")]
    [InlineData("dropout(1.5)")]
    [InlineData("conv(3)")]
    [InlineData("dense(10) junk")]
    public void Malformed_heads_are_refused(string spec) =>
        Assert.Throws<Errors.LookalikeException>(() => HeadSpec.Build(spec, 8, new Random(1)));

    public void Dispose() => _temp.Dispose();
}
