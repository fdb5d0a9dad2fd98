using Lookalike.Errors;
using Lookalike.Onnx.Import;
using OnnxProto = global::Onnx;

namespace Lookalike.Onnx.Stages;

/// <summary>
/// The last stage of a ResNet read from its ONNX model (batch norms folded into the convolutions,
/// as Lookalike's import and common exports write them): found by walking back from the pooled
/// <c>features</c> output through bottleneck blocks, relu(conv·relu(conv·relu(conv(x))) + shortcut),
/// up to and including the first block whose shortcut is a projection (ResNet50's conv5_block1).
/// Names do not matter, so a Keras-named model and an exported one with numbered nodes both read.
/// </summary>
/// <param name="ModelPath">The model it was read from.</param>
/// <param name="InputTensor">The tensor the stage starts from (ResNet50: conv4_block6_out, 1024×14×14 for 224² images).</param>
/// <param name="Blocks">The blocks, first to last.</param>
public sealed record ResNetStage(string ModelPath, string InputTensor, IReadOnlyList<BottleneckWeights> Blocks)
{
    /// <summary>Channels of the stage's input maps.</summary>
    public int InputChannels => Blocks[0].Reduce.Inputs;

    /// <summary>Width of the pooled features.</summary>
    public int OutputChannels => Blocks[^1].Expand.Outputs;

    /// <summary>Reads the last stage of <paramref name="modelPath"/>.</summary>
    /// <exception cref="LookalikeException">when the file is not an ONNX model ending in a ResNet bottleneck stage and pooling.</exception>
    public static ResNetStage Read(string modelPath, string featuresOutput = "features")
    {
        var graph = new GraphIndex(OnnxModelFile.Read(modelPath).Graph, modelPath);
        string stageOutput = graph.PooledInput(featuresOutput);
        var blocks = new List<BottleneckWeights>();
        string current = stageOutput;
        while (true)
        {
            var (block, input) = graph.Block(current);
            blocks.Insert(0, block);
            current = input;
            if (block.Projection is not null) break;
            if (blocks.Count > 64) throw graph.NotAStage($"no block with a projection shortcut before '{current}'");
        }
        return new ResNetStage(modelPath, current, blocks);
    }

    /// <summary>Nodes by the tensor they produce, and the weights, of one graph.</summary>
    internal sealed class GraphIndex
    {
        private readonly Dictionary<string, OnnxProto.NodeProto> _producers = new(StringComparer.Ordinal);
        private readonly Dictionary<string, OnnxProto.TensorProto> _tensors = new(StringComparer.Ordinal);
        private readonly string _path;

        public GraphIndex(OnnxProto.GraphProto graph, string path)
        {
            _path = path;
            foreach (var tensor in graph.Initializer) _tensors[tensor.Name] = tensor;
            foreach (var node in graph.Node)
            {
                foreach (string output in node.Output) _producers[output] = node;
                if (node.OpType == "Constant" && node.Attribute.FirstOrDefault(a => a.Name == "value")?.T is { } value)
                    _tensors[node.Output[0]] = value;
            }
        }

        /// <summary>The tensor pooled into <paramref name="featuresOutput"/> (through Flatten, Reshape, Squeeze or Identity).</summary>
        public string PooledInput(string featuresOutput)
        {
            string name = featuresOutput;
            while (Producer(name) is { } node)
            {
                switch (node.OpType)
                {
                    case "Flatten" or "Reshape" or "Squeeze" or "Identity":
                        name = node.Input[0];
                        continue;
                    case "GlobalAveragePool":
                        return node.Input[0];
                    case "ReduceMean" when Ints(node, "axes") is [2, 3] or [-2, -1]:
                        return node.Input[0];
                    default:
                        throw NotAStage($"'{featuresOutput}' comes from a {node.OpType} node, not from a global average pooling");
                }
            }
            throw NotAStage($"no node produces the output '{featuresOutput}'");
        }

        /// <summary>The block producing <paramref name="output"/> and the block's input.</summary>
        public (BottleneckWeights Block, string Input) Block(string output)
        {
            var relu = Expect(output, "Relu");
            // Keras's Add layer imports as Sum; exports from elsewhere write Add.
            var add = Producer(relu.Input[0]) is { OpType: "Add" or "Sum" } sum && sum.Input.Count == 2
                ? sum
                : throw NotAStage($"'{relu.Input[0]}' is not the sum of two tensors");
            foreach (var (branch, shortcut) in new[] { (add.Input[0], add.Input[1]), (add.Input[1], add.Input[0]) })
            {
                if (!TryBranch(branch, out var convs, out string input)) continue;
                if (shortcut == input) return (new BottleneckWeights(convs[0], convs[1], convs[2], null), input);
                if (Producer(shortcut) is { OpType: "Conv" } projection && projection.Input[0] == input)
                    return (new BottleneckWeights(convs[0], convs[1], convs[2], Conv(projection)), input);
            }
            throw NotAStage($"'{add.Name}' does not add a bottleneck branch (three convolutions) to its shortcut");
        }

        public LookalikeException NotAStage(string why) =>
            new($"'{_path}' does not end in a ResNet stage of bottleneck blocks (with batch norms folded) and pooling: {why}.");

        private bool TryBranch(string output, out ConvWeights[] convs, out string input)
        {
            convs = [];
            input = "";
            var expand = Producer(output);
            if (expand?.OpType != "Conv") return false;
            var relu2 = Producer(expand.Input[0]);
            if (relu2?.OpType != "Relu" || Producer(relu2.Input[0]) is not { OpType: "Conv" } middle) return false;
            var relu1 = Producer(middle.Input[0]);
            if (relu1?.OpType != "Relu" || Producer(relu1.Input[0]) is not { OpType: "Conv" } reduce) return false;
            convs = [Conv(reduce), Conv(middle), Conv(expand)];
            input = reduce.Input[0];
            return true;
        }

        private ConvWeights Conv(OnnxProto.NodeProto node)
        {
            var weight = Tensor(node.Input[1], node);
            if (weight.Dims.Count != 4 || weight.Dims[2] != weight.Dims[3])
                throw NotAStage($"convolution '{node.Name}' has weights of shape [{string.Join(",", weight.Dims)}], not a square kernel");
            int outputs = (int)weight.Dims[0], inputs = (int)weight.Dims[1], kernel = (int)weight.Dims[2];
            if ((Int(node, "group") ?? 1) != 1 || Ints(node, "dilations") is { } d && d.Any(x => x != 1))
                throw NotAStage($"convolution '{node.Name}' is grouped or dilated");
            var strides = Ints(node, "strides") ?? [1, 1];
            if (strides[0] != strides[1]) throw NotAStage($"convolution '{node.Name}' has unequal strides");
            int stride = (int)strides[0];
            int pad = Pad(node, kernel, stride);
            var bias = node.Input.Count > 2 && node.Input[2].Length > 0 ? OnnxTensors.ReadFloats(Tensor(node.Input[2], node)) : new float[outputs];
            return new ConvWeights(node.Name.Length > 0 ? node.Name : node.Output[0], inputs, outputs, kernel, stride, pad,
                OnnxTensors.ReadFloats(weight), bias);
        }

        private int Pad(OnnxProto.NodeProto node, int kernel, int stride)
        {
            string autoPad = node.Attribute.FirstOrDefault(a => a.Name == "auto_pad")?.S.ToStringUtf8() ?? "NOTSET";
            switch (autoPad)
            {
                case "VALID":
                    return 0;
                case "SAME_UPPER" or "SAME_LOWER" when kernel == 1 || (stride == 1 && kernel % 2 == 1):
                    return kernel / 2;
                case "NOTSET":
                    var pads = Ints(node, "pads") ?? [0, 0, 0, 0];
                    if (pads.Distinct().Count() == 1) return (int)pads[0];
                    break;
            }
            throw NotAStage($"convolution '{node.Name}' pads unevenly ({autoPad})");
        }

        private OnnxProto.NodeProto? Producer(string tensor) => _producers.GetValueOrDefault(tensor);

        private OnnxProto.NodeProto Expect(string tensor, string opType) =>
            Producer(tensor) is { } node && node.OpType == opType
                ? node
                : throw NotAStage($"'{tensor}' is not the output of a {opType} node");

        private OnnxProto.TensorProto Tensor(string name, OnnxProto.NodeProto node) =>
            _tensors.GetValueOrDefault(name) ?? throw NotAStage($"convolution '{node.Name}' reads '{name}', which is not a constant");

        private static long[]? Ints(OnnxProto.NodeProto node, string name) =>
            node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? [.. a.Ints] : null;

        private static long? Int(OnnxProto.NodeProto node, string name) =>
            node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.I : null;
    }
}
