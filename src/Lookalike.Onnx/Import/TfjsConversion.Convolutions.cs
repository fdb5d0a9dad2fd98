using System.Text.Json;
using Lookalike.Errors;
using static Lookalike.Onnx.Import.OnnxGraphBuilder;

namespace Lookalike.Onnx.Import;

internal sealed partial class TfjsConversion
{
    private Tensor Conv(TfjsLayer layer, Tensor x, bool depthwise)
    {
        var config = layer.Config;
        RequireChannelsLast(layer);
        var kernel = Weight(layer, depthwise ? "depthwise_kernel" : "kernel");
        int kh = kernel.Shape[0], kw = kernel.Shape[1], inChannels = kernel.Shape[2], last = kernel.Shape[3];
        int outChannels = depthwise ? inChannels * last : last;
        float[] onnxWeight = depthwise ? DepthwiseToOnnx(kernel) : KernelToOnnx(kernel);
        long[] dims = depthwise ? [outChannels, 1, kh, kw] : [outChannels, inChannels, kh, kw];
        string weight = Builder.AddInitializer($"{layer.Name}/W", dims, onnxWeight);
        string? bias = OptionalBool(config, "use_bias", true)
            ? Builder.AddInitializer($"{layer.Name}/B", [outChannels], Weight(layer, "bias").Values)
            : null;
        string activation = OptionalActivation(config);
        string output = activation == "linear" ? layer.Name : $"{layer.Name}/linear";
        var node = AddConv(layer, x.Name, weight, bias, output, kh, kw, depthwise ? inChannels : 1);
        var result = new Tensor(output, 4, outChannels);
        if (activation != "linear") return Activation(layer.Name, activation, result);
        _foldable[layer.Name] = new FoldableConv(node, weight, bias, outChannels);
        return result;
    }

    private Tensor Separable(TfjsLayer layer, Tensor x)
    {
        var config = layer.Config;
        RequireChannelsLast(layer);
        var depthwise = Weight(layer, "depthwise_kernel");
        var pointwise = Weight(layer, "pointwise_kernel");
        int kh = depthwise.Shape[0], kw = depthwise.Shape[1], inChannels = depthwise.Shape[2];
        int middle = inChannels * depthwise.Shape[3], outChannels = pointwise.Shape[3];
        string dw = Builder.AddInitializer($"{layer.Name}/depthwise/W", [middle, 1, kh, kw], DepthwiseToOnnx(depthwise));
        AddConv(layer, x.Name, dw, null, $"{layer.Name}/depthwise", kh, kw, inChannels);
        string pw = Builder.AddInitializer($"{layer.Name}/pointwise/W", [outChannels, middle, 1, 1], KernelToOnnx(pointwise));
        string? bias = OptionalBool(config, "use_bias", true)
            ? Builder.AddInitializer($"{layer.Name}/B", [outChannels], Weight(layer, "bias").Values)
            : null;
        string activation = OptionalActivation(config);
        string output = activation == "linear" ? layer.Name : $"{layer.Name}/linear";
        var node = Builder.AddNode("Conv", $"{layer.Name}/pointwise", bias is null ? [$"{layer.Name}/depthwise", pw] : [$"{layer.Name}/depthwise", pw, bias],
            output, Ints("kernel_shape", 1, 1));
        var result = new Tensor(output, 4, outChannels);
        if (activation != "linear") return Activation(layer.Name, activation, result);
        _foldable[layer.Name] = new FoldableConv(node, pw, bias, outChannels);
        return result;
    }

    private global::Onnx.NodeProto AddConv(TfjsLayer layer, string input, string weight, string? bias, string output, int kh, int kw, int group)
    {
        var config = layer.Config;
        var (sh, sw) = config.TryGetProperty("strides", out var s) ? Pair(s) : (1, 1);
        var (dh, dw) = config.TryGetProperty("dilation_rate", out var d) ? Pair(d) : (1, 1);
        var attributes = new List<global::Onnx.AttributeProto>
        {
            Ints("kernel_shape", kh, kw), Ints("strides", sh, sw), Ints("dilations", dh, dw), Int("group", group), Padding(layer),
        };
        string[] inputs = bias is null ? [input, weight] : [input, weight, bias];
        return Builder.AddNode("Conv", layer.Name, inputs, output, [.. attributes]);
    }

    /// <summary>
    /// Keras "same" pads total = max((⌈in/s⌉ − 1)·s + (k − 1)·d + 1 − in, 0), the smaller half first:
    /// ONNX's SAME_UPPER is that rule. "valid" pads nothing.
    /// </summary>
    private static global::Onnx.AttributeProto Padding(TfjsLayer layer)
    {
        string padding = OptionalString(layer.Config, "padding") ?? "valid";
        return padding switch
        {
            "same" => String("auto_pad", "SAME_UPPER"),
            "valid" => Ints("pads", 0, 0, 0, 0),
            _ => throw new LookalikeException($"Layer '{layer.Name}' has padding '{padding}'; 'same' and 'valid' are supported."),
        };
    }

    private Tensor Pool(TfjsLayer layer, Tensor x, string op)
    {
        RequireChannelsLast(layer);
        var (ph, pw) = Pair(layer.Config.GetProperty("pool_size"));
        var (sh, sw) = layer.Config.TryGetProperty("strides", out var s) && s.ValueKind != JsonValueKind.Null ? Pair(s) : (ph, pw);
        // count_include_pad stays 0: Keras averages only over real pixels.
        Builder.AddNode(op, layer.Name, [x.Name], layer.Name, Ints("kernel_shape", ph, pw), Ints("strides", sh, sw), Padding(layer));
        return x with { Name = layer.Name };
    }

    private Tensor BatchNorm(TfjsLayer layer, Tensor x)
    {
        var config = layer.Config;
        var axisElement = config.TryGetProperty("axis", out var a) ? a : default;
        int axis = axisElement.ValueKind switch
        {
            JsonValueKind.Array when axisElement.GetArrayLength() == 1 => axisElement[0].GetInt32(),
            JsonValueKind.Number => axisElement.GetInt32(),
            _ => -1,
        };
        if (axis != -1 && axis != x.Rank - 1)
            throw new LookalikeException($"BatchNormalization '{layer.Name}' normalises axis {axis}; only the channel axis (last) is supported.");
        double epsilon = config.TryGetProperty("epsilon", out var e) ? e.GetDouble() : 1e-3;
        int channels = x.Channels;
        float[] gamma = OptionalBool(config, "scale", true) ? Weight(layer, "gamma").Values : Enumerable.Repeat(1f, channels).ToArray();
        float[] beta = OptionalBool(config, "center", true) ? Weight(layer, "beta").Values : new float[channels];
        float[] mean = Weight(layer, "moving_mean").Values;
        float[] variance = Weight(layer, "moving_variance").Values;

        string producer = layer.Inputs[0];
        if (_foldable.TryGetValue(producer, out var conv) && _consumers.GetValueOrDefault(producer) == 1)
        {
            Fold(conv, gamma, beta, mean, variance, epsilon, layer.Name);
            _foldable.Remove(producer);
            FoldedBatchNorms++;
            return x;
        }
        string prefix = layer.Name;
        Builder.AddNode("BatchNormalization", layer.Name,
        [
            x.Name,
            Builder.AddInitializer($"{prefix}/gamma", [channels], gamma),
            Builder.AddInitializer($"{prefix}/beta", [channels], beta),
            Builder.AddInitializer($"{prefix}/mean", [channels], mean),
            Builder.AddInitializer($"{prefix}/var", [channels], variance),
        ], layer.Name, Float("epsilon", (float)epsilon));
        return x with { Name = layer.Name };
    }

    /// <summary>
    /// y = γ·(conv(x) + b − μ)/√(σ² + ε) + β  ⇒  W' = W·s, b' = (b − μ)·s + β with s = γ/√(σ² + ε),
    /// computed in double precision.
    /// </summary>
    private void Fold(FoldableConv conv, float[] gamma, float[] beta, float[] mean, float[] variance, double epsilon, string name)
    {
        float[] weight = Builder.Initializer(conv.Weight);
        int perChannel = weight.Length / conv.OutChannels;
        float[] bias = conv.Bias is null ? new float[conv.OutChannels] : Builder.Initializer(conv.Bias);
        for (int c = 0; c < conv.OutChannels; c++)
        {
            double scale = gamma[c] / Math.Sqrt(variance[c] + epsilon);
            for (int i = c * perChannel; i < (c + 1) * perChannel; i++) weight[i] = (float)(weight[i] * scale);
            bias[c] = (float)(((bias[c] - (double)mean[c]) * scale) + beta[c]);
        }
        if (conv.Bias is null) conv.Node.Input.Add(Builder.AddInitializer($"{name}/folded_bias", [conv.OutChannels], bias));
    }

    /// <summary>Keras [kh, kw, in, out] → ONNX [out, in, kh, kw].</summary>
    private static float[] KernelToOnnx(WeightTensor kernel)
    {
        int kh = kernel.Shape[0], kw = kernel.Shape[1], cin = kernel.Shape[2], cout = kernel.Shape[3];
        var result = new float[kernel.Values.Length];
        for (int y = 0; y < kh; y++)
            for (int x = 0; x < kw; x++)
                for (int i = 0; i < cin; i++)
                    for (int o = 0; o < cout; o++)
                        result[(((o * cin) + i) * kh + y) * kw + x] = kernel.Values[(((y * kw) + x) * cin + i) * cout + o];
        return result;
    }

    /// <summary>Keras depthwise [kh, kw, in, multiplier] → ONNX grouped [in·multiplier, 1, kh, kw].</summary>
    private static float[] DepthwiseToOnnx(WeightTensor kernel)
    {
        int kh = kernel.Shape[0], kw = kernel.Shape[1], cin = kernel.Shape[2], mult = kernel.Shape[3];
        var result = new float[kernel.Values.Length];
        for (int y = 0; y < kh; y++)
            for (int x = 0; x < kw; x++)
                for (int i = 0; i < cin; i++)
                    for (int m = 0; m < mult; m++)
                        result[((((i * mult) + m) * kh) + y) * kw + x] = kernel.Values[(((y * kw) + x) * cin + i) * mult + m];
        return result;
    }

    private static void RequireChannelsLast(TfjsLayer layer)
    {
        if (OptionalString(layer.Config, "data_format") is { } format && format != "channels_last")
            throw new LookalikeException($"Layer '{layer.Name}' uses data_format '{format}'; only channels_last models are supported.");
    }
}
