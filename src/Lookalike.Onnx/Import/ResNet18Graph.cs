using Lookalike.Errors;
using OnnxProto = global::Onnx;

namespace Lookalike.Onnx.Import;

/// <summary>
/// Joins the two ONNX graphs of the ML.NET ResNet18 featurizer into one backbone: its preprocessing
/// graph reorders RGB planes to BGR and subtracts a 224×224 ImageNet mean image; Lookalike feeds BGR
/// itself, so only the subtraction is kept, in front of the network; the network's 7×7 average pool
/// ([N,512,1,1]) is flattened into a <c>features</c> output [N,512]. The batch becomes symbolic (N).
/// </summary>
internal static class ResNet18Graph
{
    public const string InputName = "input", OutputName = "features";

    /// <exception cref="LookalikeException">when the graphs are not the ones described.</exception>
    public static OnnxProto.ModelProto Join(OnnxProto.ModelProto network, OnnxProto.ModelProto preprocessing, string source)
    {
        var weights = new HashSet<string>(network.Graph.Initializer.Select(t => t.Name), StringComparer.Ordinal);
        var netInputs = network.Graph.Input.Where(i => !weights.Contains(i.Name)).ToList();
        if (netInputs.Count != 1 || network.Graph.Output.Count != 1)
            throw new LookalikeException($"The ResNet18 graph has {netInputs.Count} image inputs and {network.Graph.Output.Count} outputs; expected one of each.");
        var mean = preprocessing.Graph.Initializer.SingleOrDefault(t => t.Dims.SequenceEqual([1L, 3, 224, 224]))
            ?? throw new LookalikeException("The ResNet18 preprocessing graph has no [1,3,224,224] mean image.");
        string centered = netInputs[0].Name;
        string pooled = network.Graph.Output[0].Name;

        var graph = new OnnxProto.GraphProto { Name = "resnet18" };
        graph.Input.Add(OnnxGraphBuilder.ValueInfo(InputName, "N", 3, 224, 224));
        graph.Output.Add(OnnxGraphBuilder.ValueInfo(OutputName, "N", 512));
        graph.Initializer.AddRange(network.Graph.Initializer);
        graph.Initializer.Add(mean);
        graph.Node.Add(OnnxGraphBuilder.Node("Sub", "subtract_mean_image", [InputName, mean.Name], centered));
        graph.Node.AddRange(network.Graph.Node);
        var flatten = OnnxGraphBuilder.Node("Flatten", "features/flatten", [pooled], OutputName);
        flatten.Attribute.Add(OnnxGraphBuilder.Int("axis", 1));
        graph.Node.Add(flatten);

        return OnnxGraphBuilder.Model(graph, source, network.OpsetImport, [new KeyValuePair<string, string>("source", source)]);
    }
}
