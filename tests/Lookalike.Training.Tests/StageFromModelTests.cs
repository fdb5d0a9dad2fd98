using Lookalike.Errors;
using Lookalike.Features;
using Lookalike.Onnx;
using Lookalike.Onnx.Stages;
using Lookalike.Tests.Common;
using Lookalike.Training.Convolutions;

namespace Lookalike.Training.Tests;

/// <summary>The last stage of the real ResNet50: read from its ONNX graph, run in C#, written back.</summary>
public sealed class StageFromModelTests
{
    private static ImageInput Photo(string name) => new(name, File.ReadAllBytes(TestData.Photo(name)));

    [SharedDataFact]
    public async Task The_stage_in_CSharp_computes_the_models_features_from_the_trunks_maps_and_an_export_reproduces_them()
    {
        var stage = ResNetStage.Read(TestData.ModelPath);
        Assert.Equal(3, stage.Blocks.Count);
        Assert.NotNull(stage.Blocks[0].Projection);
        Assert.All(stage.Blocks.Skip(1), b => Assert.Null(b.Projection));
        Assert.Equal((1024, 2048), (stage.InputChannels, stage.OutputChannels));
        Assert.Equal((3, 1), (stage.Blocks[1].Middle.Kernel, stage.Blocks[1].Middle.Pad));

        using var folder = new TempDirectory();
        string trunk = Path.Combine(folder.Path, "trunk.onnx"), exported = Path.Combine(folder.Path, "model.onnx");
        var shape = StageModels.WriteTrunk(stage, trunk);
        Assert.Equal(new MapShape(1024, 14, 14), shape);
        Assert.Equal(shape, StageModels.ReadMapShape(trunk));
        Assert.True(new FileInfo(trunk).Length < new FileInfo(TestData.ModelPath).Length * 0.5, "the trunk keeps only what comes before the stage");

        ImageInput[] photos = [Photo("chelsea.png"), Photo("rocket.jpg")];
        float[] expected, maps, fromExport;
        using (var full = new OnnxFeatureExtractor(OnnxFeatureExtractorOptions.ResNet50Keras(TestData.ModelPath)))
            expected = await full.ExtractAsync(photos);
        using (var trunkModel = new OnnxFeatureExtractor(OnnxFeatureExtractorOptions.ResNet50Keras(trunk) with { OutputName = StageModels.MapsOutput }))
            maps = await trunkModel.ExtractAsync(photos);
        Assert.Equal(2 * shape.Length, maps.Length);

        var convStage = new ConvStage(stage.Blocks);
        var features = convStage.Forward(FeatureMaps.FromImageMajor(maps, 2, shape.Channels, shape.Height, shape.Width), training: false);
        AssertClose(expected, features, "C# stage");

        StageModels.WriteFineTuned(stage, convStage.Folded(), exported, new Dictionary<string, string> { ["lookalike.parent"] = "test" });
        using (var model = new OnnxFeatureExtractor(OnnxFeatureExtractorOptions.ResNet50Keras(exported)))
            fromExport = await model.ExtractAsync(photos);
        AssertClose(expected, fromExport, "exported model");
    }

    [SharedDataFact]
    public void A_model_without_a_bottleneck_stage_is_refused_by_name()
    {
        var stage = ResNetStage.Read(TestData.ModelPath);
        using var folder = new TempDirectory();
        string trunk = Path.Combine(folder.Path, "trunk.onnx");
        StageModels.WriteTrunk(stage, trunk);
        var error = Assert.Throws<LookalikeException>(() => ResNetStage.Read(trunk, StageModels.MapsOutput));
        Assert.Contains("does not end in a ResNet stage", error.Message);
        Assert.Contains("features", Assert.Throws<LookalikeException>(() => ResNetStage.Read(trunk)).Message);
        Assert.Throws<LookalikeException>(() => StageModels.ReadMapShape(TestData.ModelPath));
    }

    [SharedDataFact]
    public async Task A_head_written_into_the_model_must_chain_and_an_all_zero_embedding_stays_zero()
    {
        var stage = ResNetStage.Read(TestData.ModelPath);
        var blocks = new ConvStage(stage.Blocks).Folded();
        using var folder = new TempDirectory();
        string path = Path.Combine(folder.Path, "model.onnx");
        var metadata = new Dictionary<string, string>();
        float[] ones = [.. Enumerable.Repeat(1f, 2048)];
        var skipping = new EmbeddingHeadWeights(new float[2048], ones,
            [new DenseWeights(2048, 8, new float[2048 * 8], new float[8], DenseActivation.Relu), new DenseWeights(16, 4, new float[64], new float[4], DenseActivation.None)]);
        Assert.Contains("does not follow a 8-wide one", Assert.Throws<LookalikeException>(() => StageModels.WriteFineTuned(stage, blocks, path, metadata, skipping)).Message);
        var narrow = new EmbeddingHeadWeights(new float[512], [.. Enumerable.Repeat(1f, 512)], [new DenseWeights(512, 4, new float[2048], new float[4], DenseActivation.Relu)]);
        Assert.Contains("the stage gives 2048", Assert.Throws<LookalikeException>(() => StageModels.WriteFineTuned(stage, blocks, path, metadata, narrow)).Message);
        Assert.False(File.Exists(path));

        // Zero weights and bias through a ReLU: the embedding is all zero, and the normalisation leaves it so (no 0/0).
        var zero = new EmbeddingHeadWeights(new float[2048], ones, [new DenseWeights(2048, 4, new float[2048 * 4], new float[4], DenseActivation.Relu)]);
        StageModels.WriteFineTuned(stage, blocks, path, metadata, zero);
        using var model = new OnnxFeatureExtractor(OnnxFeatureExtractorOptions.ResNet50Keras(path));
        Assert.Equal(new float[4], await model.ExtractAsync([Photo("chelsea.png")]));
    }

    /// <summary>Within 1e-4 of the largest feature, element by element.</summary>
    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        float scale = Math.Max(1, expected.Max(Math.Abs));
        double worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(worst <= 1e-4 * scale, $"{what}: features differ by up to {worst:G3} (largest {scale:G3})");
    }
}
