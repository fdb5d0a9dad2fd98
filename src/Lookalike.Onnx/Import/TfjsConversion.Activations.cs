using System.Text.Json;
using Lookalike.Errors;
using static Lookalike.Onnx.Import.OnnxGraphBuilder;

namespace Lookalike.Onnx.Import;

internal sealed partial class TfjsConversion
{
    /// <summary>Applies a Keras activation by name; the result is named <paramref name="output"/>.</summary>
    private Tensor Activation(string output, string activation, Tensor x)
    {
        _finalActivation[output] = activation;
        switch (activation)
        {
            case "linear":
                return x;
            case "relu":
                Builder.AddNode("Relu", output, [x.Name], output);
                break;
            case "relu6":
                Clip(output, x.Name, 0, 6);
                break;
            case "sigmoid":
                Builder.AddNode("Sigmoid", output, [x.Name], output);
                break;
            case "tanh":
                Builder.AddNode("Tanh", output, [x.Name], output);
                break;
            case "softmax":
                // Keras softmax runs over the last axis, which is the channel axis (1) in NCHW.
                Builder.AddNode("Softmax", output, [x.Name], output, Int("axis", x.Rank == 4 ? 1 : -1));
                break;
            case "elu":
                Builder.AddNode("Elu", output, [x.Name], output, Float("alpha", 1f));
                break;
            case "selu":
                Builder.AddNode("Selu", output, [x.Name], output);
                break;
            case "softplus":
                Builder.AddNode("Softplus", output, [x.Name], output);
                break;
            case "softsign":
                Builder.AddNode("Softsign", output, [x.Name], output);
                break;
            case "hard_sigmoid":
                Builder.AddNode("HardSigmoid", output, [x.Name], output, Float("alpha", 0.2f), Float("beta", 0.5f));
                break;
            case "exponential":
                Builder.AddNode("Exp", output, [x.Name], output);
                break;
            case "swish":
                Builder.AddNode("Sigmoid", $"{output}/sigmoid", [x.Name], $"{output}/sigmoid");
                Builder.AddNode("Mul", output, [x.Name, $"{output}/sigmoid"], output);
                break;
            default:
                throw new LookalikeException($"Activation '{activation}' of layer '{output}' is not supported.");
        }
        return x with { Name = output };
    }

    private Tensor ReLU(TfjsLayer layer, Tensor x)
    {
        var config = layer.Config;
        double? max = config.TryGetProperty("max_value", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetDouble() : null;
        double slope = config.TryGetProperty("negative_slope", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetDouble() : 0;
        double threshold = config.TryGetProperty("threshold", out var t) && t.ValueKind == JsonValueKind.Number ? t.GetDouble() : 0;
        if (threshold != 0) throw new LookalikeException($"ReLU layer '{layer.Name}' has threshold {threshold}; only 0 is supported.");
        string rectified = max is null ? layer.Name : $"{layer.Name}/rectified";
        if (slope == 0) Builder.AddNode("Relu", rectified, [x.Name], rectified);
        else Builder.AddNode("LeakyRelu", rectified, [x.Name], rectified, Float("alpha", (float)slope));
        if (max is { } ceiling) Clip(layer.Name, rectified, float.MinValue, (float)ceiling);
        return x with { Name = layer.Name };
    }

    private void Clip(string output, string input, float min, float max)
    {
        string low = Builder.AddInitializer($"{output}/min", [], [min]);
        string high = Builder.AddInitializer($"{output}/max", [], [max]);
        Builder.AddNode("Clip", output, [input, low, high], output);
    }
}
