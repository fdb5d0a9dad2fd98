using Lookalike.Errors;
using Lookalike.Onnx.Import;
using Lookalike.Onnx.Models;
using Lookalike.Tests.Common;

namespace Lookalike.Onnx.Tests;

/// <summary><c>--model NAME|PATH</c>, the feed a model file records, and <c>--device</c>.</summary>
public sealed class BackboneTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    [Fact]
    public void A_backbone_name_resolves_to_its_file_in_the_models_folder_or_says_how_to_fetch_it()
    {
        foreach (var backbone in Backbones.All)
        {
            Assert.Same(backbone, Backbones.Find(backbone.Name.ToUpperInvariant()));
            string path = backbone.PathIn(ModelLocator.ModelsDirectory);
            if (File.Exists(path)) Assert.Equal(path, ModelLocator.Resolve(backbone.Name));
            else Assert.Contains($"lookalike model fetch {backbone.Name}", Assert.Throws<LookalikeException>(() => ModelLocator.Resolve(backbone.Name)).Message,
                StringComparison.Ordinal);
        }
        var missing = Assert.Throws<LookalikeException>(() => ModelLocator.Resolve(_temp.Combine("resnet34.onnx")));
        Assert.Contains(Backbones.Names, missing.Message, StringComparison.Ordinal);
    }

    [SharedDataFact]
    public void A_model_file_that_records_its_feed_is_fed_that_way_and_one_without_as_the_keras_resnet50()
    {
        var legacy = OnnxFeatureExtractorOptions.ForModel(TestData.ModelPath);
        Assert.Equal(OnnxFeatureExtractorOptions.ResNet50Keras(TestData.ModelPath).DescribePreprocessing(), legacy.DescribePreprocessing());
        Assert.Equal("resnet50-keras-imagenet", legacy.ModelId);

        var model = OnnxModelFile.Read(TestData.ModelPath);
        var rgb = new OnnxFeatureExtractorOptions { ModelPath = "x", Scale = 1 / 255f, Mean = [0.485f, 0.456f, 0.406f], Std = [0.229f, 0.224f, 0.225f], Width = 256, Height = 256 };
        OnnxModelFile.SetMetadata(model, OnnxFeatureExtractorOptions.FeedMetadataKey, rgb.ToFeedMetadata());
        string copy = _temp.Combine("tagged.onnx");
        OnnxModelFile.Write(model, copy);
        var fed = OnnxFeatureExtractorOptions.ForModel(copy);
        Assert.Equal((rgb with { ModelPath = copy }).DescribePreprocessing(), fed.DescribePreprocessing());
        Assert.Equal("tagged", fed.ModelId);

        OnnxModelFile.SetMetadata(model, OnnxFeatureExtractorOptions.FeedMetadataKey, "{not json");
        OnnxModelFile.Write(model, copy);
        Assert.Contains(OnnxFeatureExtractorOptions.FeedMetadataKey, Assert.Throws<LookalikeException>(() => OnnxFeatureExtractorOptions.ForModel(copy)).Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Metadata_of_a_file_that_is_not_onnx_is_empty()
    {
        string path = _temp.Combine("text.onnx");
        File.WriteAllText(path, "hello, this is not protobuf at all \u00ff\u00ff\u00ff");
        Assert.Empty(OnnxModelFile.ReadMetadata(path));
    }

    [Theory]
    [InlineData(null, "cpu")]
    [InlineData("CPU", "cpu")]
    [InlineData("cuda", "cuda:0")]
    [InlineData("cuda:3", "cuda:3")]
    public void Devices_parse(string? text, string expected) => Assert.Equal(expected, ExecutionDevice.Parse(text).ToString());

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:x")]
    public void Other_devices_are_refused(string text) =>
        Assert.Contains("cpu, cuda or cuda:N", Assert.Throws<LookalikeException>(() => ExecutionDevice.Parse(text)).Message, StringComparison.Ordinal);

    [SharedDataFact]
    public void A_cuda_device_on_the_cpu_runtime_is_refused_with_what_it_needs()
    {
        var options = OnnxFeatureExtractorOptions.ResNet50Keras(TestData.ModelPath).OnDevice(new ExecutionDevice(0));
        Assert.Equal(64, options.BatchSize);
        var error = Assert.Throws<LookalikeException>(() => new OnnxFeatureExtractor(options));
        Assert.Contains("CUDA device 0 cannot be used", error.Message, StringComparison.Ordinal);
        Assert.Contains("LookalikeGpu=true", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _temp.Dispose();
}
