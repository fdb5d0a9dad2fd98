using Lookalike.Errors;
using Lookalike.Onnx.Import;
using static Lookalike.Onnx.Import.OnnxGraphBuilder;
using OnnxProto = global::Onnx;

namespace Lookalike.Onnx.Stages;

/// <summary>
/// Writes an <see cref="EmbeddingHeadWeights"/> as ONNX nodes after a [N, D] tensor, with operators whose form has not
/// changed since opset 8 (Sub, Mul, MatMul, Add, Relu, Tanh, Sqrt, Max, Div), so it fits any parent's opset.
/// </summary>
internal static class HeadGraph
{
    /// <summary>Smallest norm divided by: an all-zero embedding stays zero, as <c>Distances.Normalize</c> leaves it.</summary>
    private const float TinyNorm = 1e-30f;

    /// <exception cref="LookalikeException">when the head does not take <paramref name="inputs"/> features or its layers do not chain.</exception>
    public static void Validate(EmbeddingHeadWeights head, int inputs)
    {
        if (head.Layers.Count == 0) throw new LookalikeException("The head to write has no dense layer before its embedding.");
        if (head.Mean.Length != inputs || head.Scale.Length != inputs || head.Layers[0].Inputs != inputs)
            throw new LookalikeException($"The head takes {head.Layers[0].Inputs}-d features; the stage gives {inputs}.");
        int width = inputs;
        foreach (var layer in head.Layers)
        {
            if (layer.Inputs != width || layer.Weights.Length != layer.Inputs * layer.Outputs || layer.Bias.Length != layer.Outputs)
                throw new LookalikeException($"A {layer.Inputs}→{layer.Outputs} layer of the head does not follow a {width}-wide one or its weights have the wrong size.");
            width = layer.Outputs;
        }
    }

    /// <summary>Appends the head from <paramref name="input"/> to <paramref name="output"/> (L2-normalised rows).</summary>
    public static void Append(OnnxProto.GraphProto graph, EmbeddingHeadWeights head, string input, string output)
    {
        int d = head.Mean.Length;
        string x = Binary(graph, "Sub", "head/centre", input, Constant(graph, "head/mean", [d], head.Mean));
        x = Binary(graph, "Mul", "head/scale", x, Constant(graph, "head/scale_by", [d], head.Scale));
        for (int i = 0; i < head.Layers.Count; i++)
        {
            var layer = head.Layers[i];
            string name = FormattableString.Invariant($"head/dense{i + 1}");
            x = Binary(graph, "MatMul", $"{name}/matmul", x, Constant(graph, $"{name}/W", [layer.Inputs, layer.Outputs], layer.Weights));
            x = Binary(graph, "Add", $"{name}/add", x, Constant(graph, $"{name}/B", [layer.Outputs], layer.Bias));
            if (layer.Activation != DenseActivation.None)
            {
                string op = layer.Activation == DenseActivation.Relu ? "Relu" : "Tanh";
                graph.Node.Add(Node(op, $"{name}/{op.ToLowerInvariant()}", [x], $"{name}/{op.ToLowerInvariant()}"));
                x = $"{name}/{op.ToLowerInvariant()}";
            }
        }
        // ‖x‖ as (x ⊙ x)·1, a [N, 1] column, then x / max(‖x‖, tiny).
        int width = head.Outputs;
        string squares = Binary(graph, "Mul", "head/squares", x, x);
        string sum = Binary(graph, "MatMul", "head/sum_squares", squares, Constant(graph, "head/ones", [width, 1], [.. Enumerable.Repeat(1f, width)]));
        graph.Node.Add(Node("Sqrt", "head/norm", [sum], "head/norm"));
        string norm = Binary(graph, "Max", "head/safe_norm", "head/norm", Constant(graph, "head/tiny", [1], [TinyNorm]));
        graph.Node.Add(Node("Div", output, [x, norm], output));
    }

    private static string Constant(OnnxProto.GraphProto graph, string name, long[] dims, float[] values)
    {
        graph.Initializer.Add(OnnxTensors.Floats(name, dims, values));
        return name;
    }

    private static string Binary(OnnxProto.GraphProto graph, string op, string name, string a, string b)
    {
        graph.Node.Add(Node(op, name, [a, b], name));
        return name;
    }
}
