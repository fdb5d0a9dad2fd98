using Lookalike.Errors;
using Lookalike.Onnx.Import;
using OnnxProto = global::Onnx;

namespace Lookalike.Onnx.Quantization;

/// <summary>
/// Rewrites a float ONNX graph into QDQ form, the form ONNX Runtime fuses into int8 kernels
/// (QLinearConv, QGemm, QLinearAdd): every activation that enters or leaves a Conv, Gemm or
/// two-input Add/Sum passes through QuantizeLinear → DequantizeLinear (uint8, asymmetric, from the
/// calibrated range); weights become int8 initializers with one symmetric scale per output channel
/// (Conv) or per tensor (Gemm) behind a DequantizeLinear; biases become int32 at scale
/// input scale × weight scale. A ReLU whose input only it reads is folded into its producer: the
/// quantization of a range that starts at 0 clamps exactly as the ReLU did.
/// </summary>
internal sealed class QdqRewriter
{
    private const string QuantizedSuffix = "/quantized", DequantizedSuffix = "/dequantized";
    private readonly OnnxProto.ModelProto _model;
    private readonly Dictionary<string, OnnxProto.TensorProto> _initializers;
    private readonly HashSet<OnnxProto.NodeProto> _folded = [];
    private readonly HashSet<OnnxProto.NodeProto> _quantizable = [];

    /// <summary>Plans the rewrite of <paramref name="model"/> (which it changes: ReLUs are folded at once).</summary>
    /// <exception cref="LookalikeException">when the model's opset is below 13 (per-channel DequantizeLinear).</exception>
    public QdqRewriter(OnnxProto.ModelProto model)
    {
        long opset = model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(0).Max();
        if (opset < 13)
            throw new LookalikeException($"The model uses ONNX opset {opset}; quantization needs opset 13 or later (per-channel DequantizeLinear).");
        _model = model;
        _initializers = model.Graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        FoldRelus();
        var quantizable = model.Graph.Node.Where(n => !_folded.Contains(n) && IsQuantizable(n)).ToList();
        _quantizable.UnionWith(quantizable);
        Activations = [.. quantizable.SelectMany(ActivationsOf).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>The activation tensors to calibrate, by their names in the float model.</summary>
    public IReadOnlyList<string> Activations { get; }

    /// <summary>ReLUs folded into their producer.</summary>
    public int FoldedRelus => _folded.Count;

    /// <summary>Operators given int8 inputs, by type.</summary>
    public IReadOnlyDictionary<string, int> QuantizedNodes =>
        _quantizable.GroupBy(n => n.OpType == "Sum" ? "Add" : n.OpType).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>Writes the QDQ graph into the model, with the ranges calibrated for <see cref="Activations"/>.</summary>
    public void Rewrite(IReadOnlyDictionary<string, TensorRange> ranges, QuantizationOptions options)
    {
        var graph = _model.Graph;
        var activations = new HashSet<string>(Activations, StringComparer.Ordinal);
        var scales = new Dictionary<string, float>(StringComparer.Ordinal);
        var fromQuantized = new HashSet<string>(_quantizable.SelectMany(n => n.Output), StringComparer.Ordinal);
        var nodes = new List<OnnxProto.NodeProto>();
        foreach (string name in Activations)
        {
            var (scale, zeroPoint) = (ranges.TryGetValue(name, out var range) ? range
                : throw new LookalikeException($"No calibrated range for '{name}'.")).ToUInt8();
            scales[name] = scale;
            graph.Initializer.Add(OnnxTensors.Floats(name + "/scale", [], [scale]));
            graph.Initializer.Add(OnnxTensors.UInt8s(name + "/zero_point", [], [zeroPoint]));
        }
        foreach (var input in graph.Input.Where(i => activations.Contains(i.Name))) nodes.AddRange(QuantizeDequantize(input.Name));
        foreach (var node in graph.Node.Where(n => !_folded.Contains(n)))
        {
            bool quantized = _quantizable.Contains(node);
            if (quantized) nodes.AddRange(DequantizeParameters(node, scales, options));
            // Quantized operators read the dequantized tensor; others do too when it comes out of a
            // quantized operator (whose float output the fused kernel no longer makes), else the float one.
            for (int i = 0; i < node.Input.Count; i++)
            {
                if (activations.Contains(node.Input[i]) && (quantized || fromQuantized.Contains(node.Input[i]))) node.Input[i] += DequantizedSuffix;
            }
            if (node.OpType == "Sum") node.OpType = "Add";
            nodes.Add(node);
            foreach (string output in node.Output.Where(activations.Contains)) nodes.AddRange(QuantizeDequantize(output));
        }
        graph.Node.Clear();
        graph.Node.AddRange(nodes);
        var used = new HashSet<string>(nodes.SelectMany(n => n.Input), StringComparer.Ordinal);
        var unused = graph.Initializer.Where(t => !used.Contains(t.Name)).ToList();
        foreach (var tensor in unused) graph.Initializer.Remove(tensor);
    }

    private void FoldRelus()
    {
        var graph = _model.Graph;
        var readers = graph.Node.SelectMany(n => n.Input).GroupBy(i => i, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var outputs = new HashSet<string>(graph.Output.Select(o => o.Name), StringComparer.Ordinal);
        var producers = new Dictionary<string, OnnxProto.NodeProto>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            foreach (string output in node.Output) producers[output] = node;
        }
        foreach (var relu in graph.Node.Where(n => n.OpType == "Relu").ToList())
        {
            string input = relu.Input[0];
            if (producers.TryGetValue(input, out var producer) && IsQuantizable(producer) && producer.OpType != "Gemm"
                && readers[input] == 1 && !outputs.Contains(input))
            {
                producer.Output[0] = relu.Output[0];
                _folded.Add(relu);
            }
        }
    }

    private bool IsQuantizable(OnnxProto.NodeProto node) => node.OpType switch
    {
        "Conv" => node.Input.Count >= 2 && _initializers.ContainsKey(node.Input[1]) && BiasIsInitializer(node),
        "Gemm" => node.Input.Count >= 2 && _initializers.TryGetValue(node.Input[1], out var weight) && weight.Dims.Count == 2
            && BiasIsInitializer(node) && Attribute(node, "transA") == 0,
        "Add" or "Sum" => node.Input.Count == 2 && !node.Input.Any(_initializers.ContainsKey),
        _ => false,
    };

    private bool BiasIsInitializer(OnnxProto.NodeProto node) => node.Input.Count < 3 || _initializers.ContainsKey(node.Input[2]);

    private static long Attribute(OnnxProto.NodeProto node, string name) =>
        node.Attribute.FirstOrDefault(a => a.Name == name)?.I ?? 0;

    /// <summary>A node's activation inputs, and its output unless it is a Gemm (whose float result feeds a classifier).</summary>
    private IEnumerable<string> ActivationsOf(OnnxProto.NodeProto node)
    {
        var inputs = node.OpType is "Conv" or "Gemm" ? node.Input.Take(1) : node.Input;
        return node.OpType == "Gemm" ? inputs : inputs.Append(node.Output[0]);
    }

    private static OnnxProto.NodeProto[] QuantizeDequantize(string tensor)
    {
        var quantize = OnnxGraphBuilder.Node("QuantizeLinear", tensor + "/quantize", [tensor, tensor + "/scale", tensor + "/zero_point"], tensor + QuantizedSuffix);
        var dequantize = OnnxGraphBuilder.Node("DequantizeLinear", tensor + "/dequantize",
            [tensor + QuantizedSuffix, tensor + "/scale", tensor + "/zero_point"], tensor + DequantizedSuffix);
        return [quantize, dequantize];
    }

    /// <summary>Quantizes the weight (and bias) of a Conv or Gemm and returns the DequantizeLinear nodes that feed it.</summary>
    private IEnumerable<OnnxProto.NodeProto> DequantizeParameters(OnnxProto.NodeProto node, Dictionary<string, float> scales, QuantizationOptions options)
    {
        if (node.OpType is not ("Conv" or "Gemm")) yield break;
        bool perChannel = node.OpType == "Conv";
        var weight = _initializers[node.Input[1]];
        float[] values = OnnxTensors.ReadFloats(weight);
        int channels = perChannel ? (int)weight.Dims[0] : 1;
        int perGroup = values.Length / channels;
        int limit = options.ReduceRange ? 63 : 127;
        var bias = node.Input.Count == 3 && node.Input[2].Length > 0 ? _initializers[node.Input[2]] : null;
        float[]? biasValues = bias is null ? null : OnnxTensors.ReadFloats(bias);
        float inputScale = scales[node.Input[0]];
        float[] weightScales = new float[channels];
        sbyte[] quantized = new sbyte[values.Length];
        for (int c = 0; c < channels; c++)
        {
            var group = values.AsSpan(c * perGroup, perGroup);
            float largest = Math.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(group));
            // A bias is stored at scale input scale × weight scale; a channel with tiny weights and a
            // large bias gets a coarser weight scale so that its bias still fits in int32.
            float biasLargest = biasValues is null ? 0 : Math.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(
                perChannel ? biasValues.AsSpan(c, 1) : biasValues.AsSpan()));
            float scale = Math.Max(largest / limit, biasLargest / (inputScale * (1 << 30)));
            if (!(scale > 0) || !float.IsFinite(scale)) scale = 1f;
            weightScales[c] = scale;
            for (int i = 0; i < perGroup; i++)
                quantized[(c * perGroup) + i] = (sbyte)Math.Clamp(MathF.Round(group[i] / scale), -limit, limit);
        }
        string prefix = $"{NameOf(node)}/weight";
        long[] scaleDims = perChannel ? [channels] : [];
        var graph = _model.Graph;
        graph.Initializer.Add(OnnxTensors.Int8s(prefix + QuantizedSuffix, [.. weight.Dims], quantized));
        graph.Initializer.Add(OnnxTensors.Floats(prefix + "/scale", scaleDims, weightScales));
        graph.Initializer.Add(OnnxTensors.Int8s(prefix + "/zero_point", scaleDims, new sbyte[channels]));
        yield return Dequantize(prefix, perChannel);
        node.Input[1] = prefix + DequantizedSuffix;

        if (bias is null || biasValues is null) yield break;
        float[] biasScales = perChannel ? [.. weightScales.Select(s => s * inputScale)] : [weightScales[0] * inputScale];
        int[] biasQuantized = new int[biasValues.Length];
        for (int i = 0; i < biasValues.Length; i++)
            biasQuantized[i] = (int)Math.Round(biasValues[i] / (double)biasScales[perChannel ? i : 0]);
        string biasPrefix = $"{NameOf(node)}/bias";
        graph.Initializer.Add(OnnxTensors.Int32s(biasPrefix + QuantizedSuffix, [.. bias.Dims], biasQuantized));
        graph.Initializer.Add(OnnxTensors.Floats(biasPrefix + "/scale", scaleDims, biasScales));
        graph.Initializer.Add(OnnxTensors.Int32s(biasPrefix + "/zero_point", scaleDims, new int[biasScales.Length]));
        yield return Dequantize(biasPrefix, perChannel);
        node.Input[2] = biasPrefix + DequantizedSuffix;
    }

    private static string NameOf(OnnxProto.NodeProto node) => node.Name.Length > 0 ? node.Name : node.Output[0];

    private static OnnxProto.NodeProto Dequantize(string prefix, bool perChannel)
    {
        var node = OnnxGraphBuilder.Node("DequantizeLinear", prefix + "/dequantize", [prefix + QuantizedSuffix, prefix + "/scale", prefix + "/zero_point"],
            prefix + DequantizedSuffix);
        if (perChannel) node.Attribute.Add(OnnxGraphBuilder.Int("axis", 0));
        return node;
    }
}
