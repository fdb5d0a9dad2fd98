using System.Runtime.InteropServices;
using Google.Protobuf;
using OnnxProto = global::Onnx;

namespace Lookalike.Onnx.Import;

/// <summary>
/// Accumulates ONNX nodes and float initializers, then emits a <see cref="OnnxProto.ModelProto"/>
/// (opset 13). Initializers stay editable until <see cref="Build"/> so batch norm can be folded in.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    public const int Opset = 13;
    private readonly List<OnnxProto.NodeProto> _nodes = [];
    private readonly HashSet<string> _nodeNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long[] Dims, float[] Values)> _floats = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long[]> _int64s = new(StringComparer.Ordinal);
    private readonly List<OnnxProto.ValueInfoProto> _inputs = [];
    private readonly List<OnnxProto.ValueInfoProto> _outputs = [];

    public string AddInitializer(string name, long[] dims, float[] values)
    {
        _floats[name] = (dims, values);
        return name;
    }

    public string AddInt64s(string name, long[] values)
    {
        _int64s[name] = values;
        return name;
    }

    public float[] Initializer(string name) => _floats[name].Values;

    public OnnxProto.NodeProto AddNode(string opType, string name, string[] inputs, string output, params OnnxProto.AttributeProto[] attributes)
    {
        // ONNX requires unique node names; a layer may become several nodes (a Conv and its fused
        // activation), so a repeated name gets the operator appended, then a number.
        string unique = name;
        for (int n = 2; !_nodeNames.Add(unique); n++) unique = n == 2 ? $"{name}/{opType}" : $"{name}/{opType}{n}";
        var node = new OnnxProto.NodeProto { OpType = opType, Name = unique };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        _nodes.Add(node);
        return node;
    }

    public void AddInput(string name, params object[] dims) => _inputs.Add(ValueInfo(name, dims));

    public void AddOutput(string name, params object[] dims) => _outputs.Add(ValueInfo(name, dims));

    public static OnnxProto.AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new OnnxProto.AttributeProto { Name = name, Type = OnnxProto.AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    public static OnnxProto.AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = OnnxProto.AttributeProto.Types.AttributeType.Int, I = value };

    public static OnnxProto.AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = OnnxProto.AttributeProto.Types.AttributeType.Float, F = value };

    public static OnnxProto.AttributeProto String(string name, string value) =>
        new() { Name = name, Type = OnnxProto.AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    /// <summary>The finished model. Dimensions given as strings become symbolic (e.g. "N").</summary>
    public OnnxProto.ModelProto Build(string graphName, string docString, IEnumerable<KeyValuePair<string, string>> metadata)
    {
        var graph = new OnnxProto.GraphProto { Name = graphName };
        graph.Node.AddRange(_nodes);
        graph.Input.AddRange(_inputs);
        graph.Output.AddRange(_outputs);
        foreach (var (name, (dims, values)) in _floats)
        {
            var tensor = new OnnxProto.TensorProto
            {
                Name = name,
                DataType = (int)OnnxProto.TensorProto.Types.DataType.Float,
                RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())),
            };
            tensor.Dims.AddRange(dims);
            graph.Initializer.Add(tensor);
        }
        foreach (var (name, values) in _int64s)
        {
            var tensor = new OnnxProto.TensorProto { Name = name, DataType = (int)OnnxProto.TensorProto.Types.DataType.Int64 };
            tensor.Dims.Add(values.Length);
            tensor.Int64Data.AddRange(values);
            graph.Initializer.Add(tensor);
        }
        return Model(graph, docString, [new OnnxProto.OperatorSetIdProto { Domain = "", Version = Opset }], metadata);
    }

    /// <summary>A model of <paramref name="graph"/> that names Lookalike as its producer (IR version 7).</summary>
    public static OnnxProto.ModelProto Model(OnnxProto.GraphProto graph, string docString, IEnumerable<OnnxProto.OperatorSetIdProto> opsets,
        IEnumerable<KeyValuePair<string, string>> metadata)
    {
        var model = new OnnxProto.ModelProto
        {
            IrVersion = 7,
            ProducerName = "lookalike",
            ProducerVersion = typeof(OnnxGraphBuilder).Assembly.GetName().Version?.ToString() ?? "0",
            DocString = docString,
            Graph = graph,
        };
        model.OpsetImport.AddRange(opsets);
        foreach (var (key, value) in metadata) model.MetadataProps.Add(new OnnxProto.StringStringEntryProto { Key = key, Value = value });
        return model;
    }

    /// <summary>A node not (yet) in any graph.</summary>
    public static OnnxProto.NodeProto Node(string opType, string name, string[] inputs, string output)
    {
        var node = new OnnxProto.NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        return node;
    }

    /// <summary>A float tensor's name and shape; dimensions given as strings are symbolic (e.g. "N").</summary>
    public static OnnxProto.ValueInfoProto ValueInfo(string name, params object[] dims)
    {
        var shape = new OnnxProto.TensorShapeProto();
        foreach (object dim in dims)
        {
            shape.Dim.Add(dim is string symbol
                ? new OnnxProto.TensorShapeProto.Types.Dimension { DimParam = symbol }
                : new OnnxProto.TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(dim, System.Globalization.CultureInfo.InvariantCulture) });
        }
        return new OnnxProto.ValueInfoProto
        {
            Name = name,
            Type = new OnnxProto.TypeProto
            {
                TensorType = new OnnxProto.TypeProto.Types.Tensor { ElemType = (int)OnnxProto.TensorProto.Types.DataType.Float, Shape = shape },
            },
        };
    }
}
