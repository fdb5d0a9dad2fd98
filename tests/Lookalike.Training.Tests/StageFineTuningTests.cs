using Lookalike.Features;
using Lookalike.Onnx;
using Lookalike.Onnx.Imaging;
using Lookalike.Onnx.Models;
using Lookalike.Progress;
using Lookalike.Tests.Common;
using Lookalike.Training.Heads;
using Lookalike.Training.Stages;
using Xunit.Abstractions;

namespace Lookalike.Training.Tests;

/// <summary>Fine-tuning the real ResNet50's last stage on a few CIFAR-10 images, end to end.</summary>
public sealed class StageFineTuningTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _temp = new();

    [SharedDataFact]
    public async Task A_short_run_trains_the_stage_and_exports_a_backbone_that_computes_what_was_trained()
    {
        string train = Subset(TestData.Cifar10Train, "train", perClass: 24), validation = Subset(TestData.Cifar10Test, "val", perClass: 8);
        string cache = _temp.Combine("cache");
        var head = new HeadTrainingOptions("dense(16,relu)", LearningRate: 1e-3, BatchSize: 16, Seed: 3);

        // Learning rate 0: the exported backbone is the parent's, within rounding (the flipped copies change only what the head saw).
        var first = new List<string>();
        var frozenRequest = Request(train, validation, cache, "frozen", new StageTrainingOptions(head, WarmupHeadEpochs: 3,
            BackboneLearningRate: 0, Epochs: 1, BatchSize: 16));
        var frozen = await StageFineTuning.RunAsync(frozenRequest with { Augmentations = [ImageAugmentation.Flip] }, new Recorder(first));
        Assert.Equal((48, 16, 48), (frozen.TrainImages, frozen.ValidationImages, frozen.CopiedImages));
        Assert.Contains("Computing stage input maps (flip)", first);
        Assert.Contains("Pooling the stage's features (flip)", first);
        var photos = Directory.GetFiles(validation, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Take(4)
            .Select(f => new ImageInput(f, File.ReadAllBytes(f))).ToList();
        var parent = await Features(TestData.ModelPath, photos);
        AssertClose(parent, await Features(frozen.ModelPath, photos), 1e-4, "learning rate 0");

        // A real run on the cached maps: nothing is computed again, the stage moves, the export computes the trained stage.
        var stages = new List<string>();
        // The head is written into the model: it gives the head's embedding of the trained stage's features.
        var tunedRequest = Request(train, validation, cache, "tuned", new StageTrainingOptions(head, WarmupHeadEpochs: 3,
            BackboneLearningRate: 1e-3, Epochs: 2, Patience: 2, BatchSize: 16));
        var tuned = await StageFineTuning.RunAsync(tunedRequest with { EmbedHead = true }, new Recorder(stages));
        Assert.DoesNotContain("Computing stage input maps", stages);
        var result = tuned.Result;
        foreach (var epoch in result.History)
            output.WriteLine($"epoch {epoch.Epoch}: loss {epoch.TrainLoss:F4}, val loss {epoch.ValidationLoss:F4}, {epoch.ImagesPerSecond:F1} images/s, {epoch.GflopsPerSecond:F1} GFLOP/s");
        output.WriteLine($"warm-up val loss {result.Warmup.History.Min(h => h.ValidationLoss):F4}; best joint epoch {result.BestEpoch}");
        Assert.Equal(2, result.History.Count);
        Assert.All(result.History, e => Assert.True(e.ImagesPerSecond > 0 && e.GflopsPerSecond > 0 && double.IsFinite(e.TrainLoss)));
        var exported = await Features(tuned.ModelPath, photos);
        float[] maps;
        using (var trunk = new OnnxFeatureExtractor(OnnxFeatureExtractorOptions.ForModel(tuned.TrunkPath) with { OutputName = Onnx.Stages.StageModels.MapsOutput }))
            maps = await trunk.ExtractAsync(photos);
        var shape = Onnx.Stages.StageModels.ReadMapShape(tuned.TrunkPath);
        var stageInput = Convolutions.FeatureMaps.FromImageMajor(maps, photos.Count, shape.Channels, shape.Height, shape.Width);
        var trained = result.Stage.Forward(stageInput, training: false);
        Assert.True(tuned.HeadEmbedded);
        Assert.Equal(photos.Count * result.Head.EmbeddingWidth, exported.Length);
        AssertClose(result.Head.Embed(trained, photos.Count), exported, 1e-4, "exported stage and head");
        // Training the stage with the head lowers the validation loss the head alone reached.
        Assert.True(result.BestEpoch > 0, "no joint epoch beat the warm-up");
        Assert.True(result.History.Min(h => h.ValidationLoss) < result.Warmup.History.Min(h => h.ValidationLoss));
        Assert.True(trained.Zip(parent, (a, b) => Math.Abs(a - b)).Max() > 1e-3, "the trained stage computes what the parent did");

        // With batch statistics the stage trains too, and its export still computes the trained stage: the statistics shape only the training.
        var batch = await StageFineTuning.RunAsync(Request(train, validation, cache, "batch", new StageTrainingOptions(head, WarmupHeadEpochs: 3,
            BackboneLearningRate: 1e-3, Epochs: 2, Patience: 2, BatchSize: 16, BatchStatistics: true)));
        Assert.Equal(10, batch.Result.Stage.BatchStatisticsLayers.Count());
        Assert.All(batch.Result.Stage.BatchStatisticsLayers, s => Assert.True(s.HasStatistics, s.Name));
        Assert.True(batch.Result.BestEpoch > 0, "with batch statistics, no joint epoch beat the warm-up");
        Assert.True(batch.Result.History.Min(h => h.ValidationLoss) < batch.Result.Warmup.History.Min(h => h.ValidationLoss));
        var batchTrained = batch.Result.Stage.Forward(stageInput, training: false);
        AssertClose(batchTrained, await Features(batch.ModelPath, photos), 1e-4, "exported stage trained with batch statistics");
        Assert.True(batchTrained.Zip(parent, (a, b) => Math.Abs(a - b)).Max() > 1e-3, "the stage trained with batch statistics computes what the parent did");
        Assert.Contains("batch statistics", ModelCard.Read(batch.CardPath)!.Notes);

        var loadedHead = HeadFile.Load(tuned.HeadPath);
        Assert.Equal(2048, loadedHead.Inputs);
        var card = ModelCard.Read(tuned.CardPath)!;
        Assert.Equal(Lookalike.IO.FileHash.Sha256Of(TestData.ModelPath), card.SourceSha256);
        Assert.Equal(Lookalike.IO.FileHash.Sha256Of(tuned.ModelPath), card.OnnxSha256);
    }

    private StageFineTuningRequest Request(string train, string validation, string cache, string name, StageTrainingOptions options) =>
        new(TestData.ModelPath, train, validation, _temp.Combine(name), cache, options, ExecutionDevice.Cpu);

    private static async Task<float[]> Features(string model, IReadOnlyList<ImageInput> images)
    {
        using var extractor = new OnnxFeatureExtractor(OnnxFeatureExtractorOptions.ForModel(model));
        return await extractor.ExtractAsync(images);
    }

    private string Subset(string split, string name, int perClass)
    {
        string root = _temp.Combine(name);
        foreach (var (path, label) in TestData.CifarSample(split, perClass).Where(f => f.Label is "airplane" or "frog"))
        {
            Directory.CreateDirectory(Path.Combine(root, label));
            File.Copy(path, Path.Combine(root, label, Path.GetFileName(path)));
        }
        return root;
    }

    private static void AssertClose(float[] expected, float[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        float scale = Math.Max(1, expected.Max(Math.Abs));
        double worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(worst <= tolerance * scale, $"{what}: features differ by up to {worst:G3} (largest {scale:G3})");
    }

    private sealed class Recorder(List<string> stages) : IProgress<ProgressUpdate>
    {
        public void Report(ProgressUpdate value)
        {
            lock (stages) stages.Add(value.Stage);
        }
    }

    public void Dispose() => _temp.Dispose();
}
