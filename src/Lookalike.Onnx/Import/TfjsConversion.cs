using System.Text.Json;
using Lookalike.Errors;
using static Lookalike.Onnx.Import.OnnxGraphBuilder;

namespace Lookalike.Onnx.Import;

/// <summary>
/// The state of one conversion: which ONNX tensor holds each Keras layer's output, its rank
/// (4 = NCHW feature map, 2 = [N, features]) and channel count, and which convolutions can still
/// absorb a batch norm.
/// </summary>
internal sealed partial class TfjsConversion
{
    private sealed record Tensor(string Name, int Rank, int Channels);

    /// <summary>A convolution whose weights a following batch norm may be folded into.</summary>
    private sealed record FoldableConv(global::Onnx.NodeProto Node, string Weight, string? Bias, int OutChannels);

    private readonly TfjsModel _model;
    private readonly Dictionary<string, WeightTensor> _weights;
    private readonly Dictionary<string, Tensor> _tensors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FoldableConv> _foldable = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _consumers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _finalActivation = new(StringComparer.Ordinal);

    public TfjsConversion(TfjsModel model, Dictionary<string, WeightTensor> weights)
    {
        _model = model;
        _weights = weights;
        foreach (var layer in model.Layers)
        {
            foreach (string input in layer.Inputs) _consumers[input] = _consumers.GetValueOrDefault(input) + 1;
        }
        foreach (string output in model.OutputLayers) _consumers[output] = _consumers.GetValueOrDefault(output) + 1;
    }

    public OnnxGraphBuilder Builder { get; } = new();

    public int FoldedBatchNorms { get; private set; }

    public void Convert(TfjsLayer layer)
    {
        var config = layer.Config;
        var inputs = layer.Inputs.Select(name => _tensors.TryGetValue(name, out var t)
            ? t
            : throw new LookalikeException($"Layer '{layer.Name}' consumes '{name}', which is not defined before it.")).ToList();
        var x = inputs.FirstOrDefault();
        Tensor result = layer.ClassName switch
        {
            "InputLayer" => Input(layer),
            "ZeroPadding2D" => ZeroPadding(layer, x!),
            "Conv2D" => Conv(layer, x!, depthwise: false),
            "DepthwiseConv2D" => Conv(layer, x!, depthwise: true),
            "SeparableConv2D" => Separable(layer, x!),
            "BatchNormalization" => BatchNorm(layer, x!),
            "Activation" => Activation(layer.Name, OptionalActivation(config), x!),
            "ReLU" => ReLU(layer, x!),
            "MaxPooling2D" => Pool(layer, x!, "MaxPool"),
            "AveragePooling2D" => Pool(layer, x!, "AveragePool"),
            "GlobalAveragePooling2D" => GlobalPool(layer, x!, "GlobalAveragePool"),
            "GlobalMaxPooling2D" => GlobalPool(layer, x!, "GlobalMaxPool"),
            "Add" => Elementwise(layer, inputs, "Sum"),
            "Multiply" => Elementwise(layer, inputs, "Mul"),
            "Concatenate" => Concatenate(layer, inputs),
            "Dense" => Dense(layer, x!),
            "Flatten" => Flatten(layer, x!),
            "Dropout" => x!,
            _ => throw new LookalikeException($"Layer '{layer.Name}' has type '{layer.ClassName}', which the importer does not support."),
        };
        _tensors[layer.Name] = result;
    }

    /// <summary>Adds the graph outputs: <c>features</c> (a global pooling layer) and the model's own outputs.</summary>
    public IReadOnlyList<string> AddOutputs(string? featuresLayer)
    {
        var names = new List<string>();
        string? features = featuresLayer ?? _model.Layers.LastOrDefault(l => l.ClassName is "GlobalAveragePooling2D" or "GlobalMaxPooling2D")?.Name;
        if (features is not null)
        {
            if (!_tensors.TryGetValue(features, out var tensor))
                throw new LookalikeException($"The model has no layer '{features}' to use as features; layers: {string.Join(", ", _model.Layers.Select(l => l.Name))}.");
            AddNamedOutput("features", tensor);
            names.Add("features");
        }
        for (int i = 0; i < _model.OutputLayers.Count; i++)
        {
            string layer = _model.OutputLayers[i];
            string name = _model.OutputLayers.Count > 1 ? $"output{i}"
                : _finalActivation.GetValueOrDefault(layer) == "softmax" ? "probs" : "output";
            AddNamedOutput(name, _tensors[layer]);
            names.Add(name);
        }
        return names;
    }

    private void AddNamedOutput(string name, Tensor tensor)
    {
        Builder.AddNode("Identity", $"{name}/identity", [tensor.Name], name);
        if (tensor.Rank == 2) Builder.AddOutput(name, "N", tensor.Channels);
        else Builder.AddOutput(name, "N", tensor.Channels, "H", "W");
    }

    private Tensor Input(TfjsLayer layer)
    {
        var shape = layer.Config.GetProperty("batch_input_shape").EnumerateArray().Skip(1)
            .Select(d => d.ValueKind == JsonValueKind.Null ? -1 : d.GetInt32()).ToArray();
        if (_tensors.Count > 0) throw new LookalikeException("Models with several inputs are not supported.");
        switch (shape.Length)
        {
            case 3:
                if (shape[2] <= 0) throw new LookalikeException($"Input layer '{layer.Name}' has no fixed channel count.");
                Builder.AddInput("input", "N", shape[2], shape[0] > 0 ? shape[0] : "H", shape[1] > 0 ? shape[1] : "W");
                return new Tensor("input", 4, shape[2]);
            case 1:
                Builder.AddInput("input", "N", shape[0]);
                return new Tensor("input", 2, shape[0]);
            default:
                throw new LookalikeException($"Input layer '{layer.Name}' has shape [{string.Join(",", shape)}]; images (H, W, C) or vectors (D) are supported.");
        }
    }

    private Tensor ZeroPadding(TfjsLayer layer, Tensor x)
    {
        var padding = layer.Config.GetProperty("padding");
        int top, bottom, left, right;
        if (padding.ValueKind == JsonValueKind.Number) top = bottom = left = right = padding.GetInt32();
        else if (padding[0].ValueKind == JsonValueKind.Number) ((top, left), bottom, right) = (Pair(padding), padding[0].GetInt32(), padding[1].GetInt32());
        else ((top, bottom), (left, right)) = (Pair(padding[0]), Pair(padding[1]));
        string pads = Builder.AddInt64s($"{layer.Name}/pads", [0, 0, top, left, 0, 0, bottom, right]);
        Builder.AddNode("Pad", layer.Name, [x.Name, pads], layer.Name, String("mode", "constant"));
        return x with { Name = layer.Name };
    }

    private Tensor Elementwise(TfjsLayer layer, List<Tensor> inputs, string op)
    {
        Builder.AddNode(op, layer.Name, inputs.Select(t => t.Name).ToArray(), layer.Name);
        return inputs[0] with { Name = layer.Name };
    }

    private Tensor Concatenate(TfjsLayer layer, List<Tensor> inputs)
    {
        int axis = layer.Config.TryGetProperty("axis", out var a) ? a.GetInt32() : -1;
        int rank = inputs[0].Rank;
        if (axis < 0) axis += rank;
        // Keras axes are NHWC; the graph is NCHW.
        int onnxAxis = rank == 4 ? axis switch { 3 => 1, 1 => 2, 2 => 3, _ => 0 } : axis;
        Builder.AddNode("Concat", layer.Name, inputs.Select(t => t.Name).ToArray(), layer.Name, Int("axis", onnxAxis));
        return new Tensor(layer.Name, rank, onnxAxis == 1 ? inputs.Sum(t => t.Channels) : inputs[0].Channels);
    }

    private Tensor GlobalPool(TfjsLayer layer, Tensor x, string op)
    {
        Builder.AddNode(op, $"{layer.Name}/pool", [x.Name], $"{layer.Name}/pool");
        Builder.AddNode("Flatten", layer.Name, [$"{layer.Name}/pool"], layer.Name, Int("axis", 1));
        return new Tensor(layer.Name, 2, x.Channels);
    }

    private Tensor Flatten(TfjsLayer layer, Tensor x)
    {
        if (x.Rank == 2) return x;
        // Keras flattens H, W, C in that order: go back to NHWC first.
        Builder.AddNode("Transpose", $"{layer.Name}/nhwc", [x.Name], $"{layer.Name}/nhwc", Ints("perm", 0, 2, 3, 1));
        Builder.AddNode("Flatten", layer.Name, [$"{layer.Name}/nhwc"], layer.Name, Int("axis", 1));
        return new Tensor(layer.Name, 2, -1);
    }

    private Tensor Dense(TfjsLayer layer, Tensor x)
    {
        if (x.Rank != 2) throw new LookalikeException($"Dense layer '{layer.Name}' gets a rank-{x.Rank} input; add a Flatten or global pooling layer before it.");
        var kernel = Weight(layer, "kernel");
        int units = kernel.Shape[1];
        string bias = OptionalBool(layer.Config, "use_bias", true)
            ? Builder.AddInitializer($"{layer.Name}/bias", [units], Weight(layer, "bias").Values)
            : Builder.AddInitializer($"{layer.Name}/bias", [units], new float[units]);
        string w = Builder.AddInitializer($"{layer.Name}/kernel", [kernel.Shape[0], units], kernel.Values);
        string activation = OptionalActivation(layer.Config);
        string linear = activation == "linear" ? layer.Name : $"{layer.Name}/linear";
        Builder.AddNode("Gemm", $"{layer.Name}/gemm", [x.Name, w, bias], linear);
        var result = new Tensor(linear, 2, units);
        return activation == "linear" ? result : Activation(layer.Name, activation, result);
    }

    private WeightTensor Weight(TfjsLayer layer, string parameter)
    {
        string key = $"{layer.Name}/{parameter}";
        if (_weights.TryGetValue(key, out var weight)) return weight;
        // Some exporters prefix weight names with the model's name scope.
        var match = _weights.Keys.Where(k => k.EndsWith("/" + key, StringComparison.Ordinal)).ToList();
        return match.Count == 1
            ? _weights[match[0]]
            : throw new LookalikeException($"Layer '{layer.Name}' ({layer.ClassName}) needs weight '{key}', which the weights manifest does not list.");
    }

    private static string OptionalActivation(JsonElement config) => OptionalString(config, "activation") ?? "linear";

    private static (int A, int B) Pair(JsonElement value) => value.ValueKind == JsonValueKind.Number
        ? (value.GetInt32(), value.GetInt32())
        : (value[0].GetInt32(), value[1].GetInt32());

    private static string? OptionalString(JsonElement config, string key) =>
        config.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool OptionalBool(JsonElement config, string key, bool fallback) =>
        config.TryGetProperty(key, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : fallback;
}
