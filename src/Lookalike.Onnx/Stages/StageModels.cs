using Lookalike.Errors;
using Lookalike.Onnx.Import;
using Microsoft.ML.OnnxRuntime;
using static Lookalike.Onnx.Import.OnnxGraphBuilder;
using OnnxProto = global::Onnx;

namespace Lookalike.Onnx.Stages;

/// <summary>Shape of the maps a stage starts from (one image).</summary>
/// <param name="Channels">Channels.</param>
/// <param name="Height">Rows.</param>
/// <param name="Width">Columns.</param>
public sealed record MapShape(int Channels, int Height, int Width)
{
    /// <summary>Values per image.</summary>
    public int Length => Channels * Height * Width;
}

/// <summary>
/// The two models a fine-tuned stage needs, written with the protobuf code of the import: the
/// trunk (the parent model up to the stage's input, its maps flattened into a <c>[N, C·H·W]</c>
/// output so that the ordinary extractor computes them), and the parent with a new stage (batch
/// norms folded) and its pooling in place of the old one.
/// </summary>
public static class StageModels
{
    /// <summary>The trunk's output.</summary>
    public const string MapsOutput = "stage_input";

    /// <summary>Metadata property of the trunk: the maps' shape as "C,H,W".</summary>
    public const string MapShapeMetadataKey = "lookalike.maps";

    /// <summary>Writes the trunk of <paramref name="stage"/>'s model to <paramref name="path"/>; returns the shape of its maps.</summary>
    public static MapShape WriteTrunk(ResNetStage stage, string path)
    {
        var model = Pruned(stage, stage.InputTensor);
        var graph = model.Graph;
        // The maps' height and width depend on the input size: one run of a zero image tells them.
        graph.Output.Add(ValueInfo(stage.InputTensor, "N", stage.InputChannels, "H", "W"));
        var shape = MeasureMaps(model, stage);
        graph.Output.Clear();
        graph.Node.Add(Flatten(stage.InputTensor, MapsOutput));
        graph.Output.Add(ValueInfo(MapsOutput, "N", shape.Length));
        OnnxModelFile.SetMetadata(model, MapShapeMetadataKey, FormattableString.Invariant($"{shape.Channels},{shape.Height},{shape.Width}"));
        OnnxModelFile.Write(model, path);
        return shape;
    }

    /// <summary>The maps' shape recorded in a trunk written by <see cref="WriteTrunk"/>.</summary>
    /// <exception cref="LookalikeException">when the file is not such a trunk.</exception>
    public static MapShape ReadMapShape(string trunkPath)
    {
        if (OnnxModelFile.ReadMetadata(trunkPath).TryGetValue(MapShapeMetadataKey, out string? text)
            && text.Split(',') is [var c, var h, var w]
            && int.TryParse(c, out int channels) && int.TryParse(h, out int height) && int.TryParse(w, out int width))
            return new MapShape(channels, height, width);
        throw new LookalikeException($"'{trunkPath}' is not a stage trunk written by Lookalike (no '{MapShapeMetadataKey}' metadata).");
    }

    /// <summary>
    /// Writes <paramref name="stage"/>'s model with <paramref name="blocks"/> in place of its stage, pooled into a
    /// <c>features</c> output (or, with <paramref name="head"/>, through it into its L2-normalised embedding);
    /// <paramref name="metadata"/> is added to the parent's (e.g. a model card).
    /// </summary>
    public static void WriteFineTuned(ResNetStage stage, IReadOnlyList<BottleneckWeights> blocks, string path,
        IReadOnlyDictionary<string, string> metadata, EmbeddingHeadWeights? head = null, string featuresOutput = "features")
    {
        if (blocks.Count == 0 || blocks[0].Reduce.Inputs != stage.InputChannels)
            throw new LookalikeException($"The new stage must take the {stage.InputChannels} channels of '{stage.InputTensor}'.");
        if (head is not null) HeadGraph.Validate(head, blocks[^1].Expand.Outputs);
        var model = Pruned(stage, stage.InputTensor);
        var graph = model.Graph;
        string x = stage.InputTensor;
        for (int b = 0; b < blocks.Count; b++)
        {
            var block = blocks[b];
            string prefix = FormattableString.Invariant($"finetuned/block{b + 1}");
            string h = Conv(graph, $"{prefix}/reduce", block.Reduce, x);
            h = Relu(graph, h);
            h = Relu(graph, Conv(graph, $"{prefix}/middle", block.Middle, h));
            h = Conv(graph, $"{prefix}/expand", block.Expand, h);
            string shortcut = block.Projection is { } projection ? Conv(graph, $"{prefix}/projection", projection, x) : x;
            graph.Node.Add(Node("Add", $"{prefix}/add", [h, shortcut], $"{prefix}/add"));
            x = Relu(graph, $"{prefix}/add");
        }
        graph.Node.Add(Node("GlobalAveragePool", "finetuned/pool", [x], "finetuned/pool"));
        if (head is null)
        {
            graph.Node.Add(Flatten("finetuned/pool", featuresOutput));
            graph.Output.Add(ValueInfo(featuresOutput, "N", blocks[^1].Expand.Outputs));
        }
        else
        {
            graph.Node.Add(Flatten("finetuned/pool", "finetuned/pooled"));
            HeadGraph.Append(graph, head, "finetuned/pooled", featuresOutput);
            graph.Output.Add(ValueInfo(featuresOutput, "N", head.Outputs));
        }
        foreach (var (key, value) in metadata) OnnxModelFile.SetMetadata(model, key, value);
        OnnxModelFile.Write(model, path);
    }

    /// <summary>The parent model keeping only what <paramref name="tensor"/> needs; no outputs yet.</summary>
    private static OnnxProto.ModelProto Pruned(ResNetStage stage, string tensor)
    {
        var model = OnnxModelFile.Read(stage.ModelPath);
        var graph = model.Graph;
        var producers = new Dictionary<string, OnnxProto.NodeProto>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            foreach (string output in node.Output) producers[output] = node;
        }
        var needed = new HashSet<OnnxProto.NodeProto>();
        var pending = new Stack<string>([tensor]);
        while (pending.TryPop(out string? name))
        {
            if (!producers.TryGetValue(name, out var node) || !needed.Add(node)) continue;
            foreach (string input in node.Input) pending.Push(input);
        }
        var kept = graph.Node.Where(needed.Contains).ToList();
        var used = kept.SelectMany(n => n.Input).ToHashSet(StringComparer.Ordinal);
        var initializers = graph.Initializer.Where(t => used.Contains(t.Name)).ToList();
        var inputs = graph.Input.Where(i => used.Contains(i.Name)).ToList();
        graph.Node.Clear();
        graph.Node.AddRange(kept);
        graph.Initializer.Clear();
        graph.Initializer.AddRange(initializers);
        graph.Input.Clear();
        graph.Input.AddRange(inputs);
        graph.Output.Clear();
        graph.ValueInfo.Clear();
        return model;
    }

    private static MapShape MeasureMaps(OnnxProto.ModelProto model, ResNetStage stage)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        using var session = new InferenceSession(Google.Protobuf.MessageExtensions.ToByteArray(model), options);
        var (name, metadata) = session.InputMetadata.First();
        // A symbolic batch is one image; symbolic sizes are taken as 224 (what the ResNets are fed).
        long[] dims = [.. metadata.Dimensions.Select((d, i) => d > 0 ? d : i == 0 ? 1L : 224L)];
        using var runOptions = new RunOptions();
        using var input = OrtValue.CreateTensorValueFromMemory(new float[dims.Aggregate(1L, (a, b) => a * b)], dims);
        using var outputs = session.Run(runOptions, [name], [input], [stage.InputTensor]);
        var shape = outputs[0].GetTensorTypeAndShape().Shape;
        GC.KeepAlive(runOptions);
        GC.KeepAlive(input);
        return shape is [_, var c, var h, var w]
            ? new MapShape((int)c, (int)h, (int)w)
            : throw new LookalikeException($"'{stage.InputTensor}' of '{stage.ModelPath}' has shape [{string.Join(",", shape)}], not [N,C,H,W].");
    }

    private static string Conv(OnnxProto.GraphProto graph, string name, ConvWeights conv, string input)
    {
        graph.Initializer.Add(OnnxTensors.Floats($"{name}/W", [conv.Outputs, conv.Inputs, conv.Kernel, conv.Kernel], conv.Weights));
        graph.Initializer.Add(OnnxTensors.Floats($"{name}/B", [conv.Outputs], conv.Bias));
        var node = Node("Conv", name, [input, $"{name}/W", $"{name}/B"], name);
        node.Attribute.Add(Ints("kernel_shape", conv.Kernel, conv.Kernel));
        node.Attribute.Add(Ints("strides", conv.Stride, conv.Stride));
        node.Attribute.Add(Ints("pads", conv.Pad, conv.Pad, conv.Pad, conv.Pad));
        graph.Node.Add(node);
        return name;
    }

    private static string Relu(OnnxProto.GraphProto graph, string input)
    {
        graph.Node.Add(Node("Relu", $"{input}/relu", [input], $"{input}/relu"));
        return $"{input}/relu";
    }

    private static OnnxProto.NodeProto Flatten(string input, string output)
    {
        var node = Node("Flatten", output, [input], output);
        node.Attribute.Add(Int("axis", 1));
        return node;
    }
}
