using System.Numerics.Tensors;
using Lookalike.Errors;
using Lookalike.Features;
using Lookalike.Indexing;
using Lookalike.Onnx.Import;
using Lookalike.Onnx.Quantization;
using Lookalike.Tests.Common;
using Xunit.Abstractions;

namespace Lookalike.Onnx.Tests.Quantization;

/// <summary>
/// Static int8 quantization of the real ResNet50: the written model is QDQ (int8 weights, uint8 activations), a
/// quarter of the size, loads in ONNX Runtime, gives features close to the float model's on images it was not
/// calibrated on, and keeps the ImageNet top-1 of the three photos.
/// </summary>
public sealed class StaticQuantizerTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _temp = new();

    [SharedDataFact]
    public async Task The_int8_model_is_qdq_a_quarter_of_the_size_and_gives_nearly_the_same_features_and_labels()
    {
        var feed = OnnxFeatureExtractorOptions.ResNet50Keras(TestData.ModelPath);
        var calibration = CalibrationSet.FromFolder(TestData.Cifar10Train, 48);
        string int8 = _temp.Combine("int8.onnx");
        var report = StaticQuantizer.Quantize(TestData.ModelPath, int8, calibration, feed,
            new QuantizationOptions { MinimumImages = 48, MaximumImages = 48 });

        Assert.Equal(48, report.CalibrationImages);
        Assert.Equal(53, report.QuantizedNodes["Conv"]);
        Assert.Equal(16, report.QuantizedNodes["Add"]);
        Assert.InRange(report.OutputBytes, report.InputBytes / 5, report.InputBytes * 3 / 10);
        var model = OnnxModelFile.Read(int8);
        // Each Conv and the Gemm: an int8 weight and its int8 zero points; no float weights are left.
        Assert.Equal(2 * (53 + 1), model.Graph.Initializer.Count(t => t.DataType == (int)global::Onnx.TensorProto.Types.DataType.Int8));
        Assert.DoesNotContain(model.Graph.Initializer, t => t.DataType == (int)global::Onnx.TensorProto.Types.DataType.Float && t.RawData.Length > 4 * 4096);
        Assert.Contains(model.Graph.Node, n => n.OpType == "QuantizeLinear");
        Assert.DoesNotContain(model.Graph.Node, n => n.OpType == "Conv" && !n.Input[1].EndsWith("/dequantized", StringComparison.Ordinal));
        Assert.Contains("percentile", StaticQuantizer.DescriptionOf(int8), StringComparison.Ordinal);
        // The int8 model says how it is fed, so it needs no more than its path.
        var fed = OnnxFeatureExtractorOptions.ForModel(int8);
        Assert.Equal(feed.DescribePreprocessing(), fed.DescribePreprocessing());

        var images = TestData.CifarSample(TestData.Cifar10Test, perClass: 2).Select(f => new ImageInput(f.Path, File.ReadAllBytes(f.Path))).ToList();
        using var reference = new OnnxFeatureExtractor(feed);
        using var quantized = new OnnxFeatureExtractor(fed);
        float[] expected = await reference.ExtractAsync(images);
        float[] actual = await quantized.ExtractAsync(images);
        var cosines = Enumerable.Range(0, images.Count)
            .Select(i => TensorPrimitives.CosineSimilarity(expected.AsSpan(i * 2048, 2048), actual.AsSpan(i * 2048, 2048))).ToList();
        output.WriteLine($"cosine float vs int8 over {images.Count} test images: mean {cosines.Average():F4}, min {cosines.Min():F4}");
        Assert.True(cosines.Average() > 0.97, $"mean cosine {cosines.Average():F4}");
        Assert.True(cosines.Min() > 0.9, $"min cosine {cosines.Min():F4}");

        var photos = new[] { "chelsea.png", "coffee.png", "rocket.jpg" }.Select(n => new ImageInput(n, File.ReadAllBytes(TestData.Photo(n)))).ToList();
        using var floatClassifier = new OnnxFeatureExtractor(feed with { OutputName = "probs" });
        using var int8Classifier = new OnnxFeatureExtractor(fed with { OutputName = "probs" });
        float[] p = await floatClassifier.ExtractAsync(photos);
        float[] q = await int8Classifier.ExtractAsync(photos);
        for (int i = 0; i < photos.Count; i++)
            Assert.Equal(TensorPrimitives.IndexOfMax(p.AsSpan(i * 1000, 1000)), TensorPrimitives.IndexOfMax(q.AsSpan(i * 1000, 1000)));
    }

    [SharedDataFact]
    public void Too_few_readable_calibration_images_are_refused_and_nothing_is_written()
    {
        string folder = _temp.Combine("calibration");
        Directory.CreateDirectory(folder);
        foreach (var (path, _) in TestData.CifarSample(TestData.Cifar10Train, perClass: 1)) File.Copy(path, Path.Combine(folder, Path.GetFileName(path) + Guid.NewGuid().ToString("N")[..6] + ".jpg"));
        File.WriteAllText(Path.Combine(folder, "broken.jpg"), "not an image");
        string int8 = _temp.Combine("int8.onnx");
        var error = Assert.Throws<LookalikeException>(() => StaticQuantizer.Quantize(TestData.ModelPath, int8, ImageFiles.Scan(folder).Images,
            OnnxFeatureExtractorOptions.ResNet50Keras(TestData.ModelPath), new QuantizationOptions { MinimumImages = 20 }));
        Assert.Contains("Only 10 of 11 calibration images", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(int8));
    }

    [Fact]
    public void A_range_quantizes_to_a_grid_that_holds_zero_exactly()
    {
        Assert.Equal((1f, (byte)0), new TensorRange(0, 0).ToUInt8());
        var (scale, zero) = new TensorRange(0, 25.5f).ToUInt8();
        Assert.Equal(0.1f, scale, 1e-6f);
        Assert.Equal(0, zero);
        (scale, zero) = new TensorRange(-10, 15.5f).ToUInt8();
        Assert.Equal(100, zero);
        Assert.Equal(0f, (zero - zero) * scale);
        // A range that excludes 0 is widened to include it.
        (scale, zero) = new TensorRange(2, 4).ToUInt8();
        Assert.Equal(0, zero);
        Assert.Equal(4f / 255, scale, 1e-6f);
    }

    public void Dispose() => _temp.Dispose();
}
