using System.Text.Json;
using Lookalike.Errors;

namespace Lookalike.Onnx.Import;

/// <summary>One Keras layer of a tfjs layers model: its class, config and the layers feeding it.</summary>
/// <param name="Name">Layer name (also the prefix of its weight names).</param>
/// <param name="ClassName">Keras class, e.g. "Conv2D".</param>
/// <param name="Config">The layer's Keras config.</param>
/// <param name="Inputs">Names of the layers whose outputs it consumes, in order.</param>
internal sealed record TfjsLayer(string Name, string ClassName, JsonElement Config, IReadOnlyList<string> Inputs);

/// <summary>One weight tensor of the manifest, in manifest order.</summary>
/// <param name="Name">e.g. "conv1/kernel".</param>
/// <param name="Shape">Keras shape, e.g. [7, 7, 3, 64].</param>
/// <param name="DataType">"float32" (the only one supported).</param>
internal sealed record TfjsWeightSpec(string Name, int[] Shape, string DataType);

/// <summary>A group of weights stored across consecutive shard files.</summary>
/// <param name="Paths">Shard files, in the order their bytes are concatenated.</param>
/// <param name="Weights">Weights, in the order they are laid out in those bytes.</param>
internal sealed record TfjsWeightGroup(IReadOnlyList<string> Paths, IReadOnlyList<TfjsWeightSpec> Weights);

/// <summary>The parsed <c>model.json</c> of a TensorFlow.js layers model (Keras functional or sequential).</summary>
internal sealed record TfjsModel(string Name, IReadOnlyList<TfjsLayer> Layers, IReadOnlyList<string> InputLayers,
    IReadOnlyList<string> OutputLayers, IReadOnlyList<TfjsWeightGroup> WeightGroups, string Producer)
{
    /// <summary>Reads and parses <c>model.json</c> in <paramref name="directory"/>.</summary>
    /// <exception cref="LookalikeException">when the file is missing or not a tfjs layers model.</exception>
    public static TfjsModel Load(string directory)
    {
        string path = Path.Combine(directory, "model.json");
        if (!File.Exists(path)) throw new LookalikeException($"'{directory}' holds no model.json (a TensorFlow.js layers model is expected).");
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            return Parse(document.RootElement.Clone(), path);
        }
        catch (JsonException e)
        {
            throw new LookalikeException($"'{path}' is not valid JSON: {e.Message}", e);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new LookalikeException($"'{path}' is not a TensorFlow.js layers model: {e.Message}", e);
        }
    }

    private static TfjsModel Parse(JsonElement root, string path)
    {
        if (root.TryGetProperty("format", out var format) && format.GetString() is { } f && f != "layers-model")
            throw new LookalikeException($"'{path}' is a '{f}' model; only TensorFlow.js layers models can be imported.");
        var topology = root.GetProperty("modelTopology");
        var modelConfig = topology.TryGetProperty("model_config", out var mc) ? mc : topology;
        string className = modelConfig.GetProperty("class_name").GetString()!;
        var config = modelConfig.GetProperty("config");
        List<TfjsLayer> layers;
        List<string> inputs, outputs;
        string name;
        if (className == "Sequential")
        {
            (name, layers) = ParseSequential(config);
            inputs = [layers[0].Name];
            outputs = [layers[^1].Name];
        }
        else if (className is "Model" or "Functional")
        {
            name = config.TryGetProperty("name", out var n) ? n.GetString() ?? "model" : "model";
            layers = config.GetProperty("layers").EnumerateArray().Select(ParseLayer).ToList();
            inputs = config.GetProperty("input_layers").EnumerateArray().Select(e => e[0].GetString()!).ToList();
            outputs = config.GetProperty("output_layers").EnumerateArray().Select(e => e[0].GetString()!).ToList();
        }
        else
        {
            throw new LookalikeException($"'{path}': model class '{className}' is not supported (expected Model, Functional or Sequential).");
        }
        var groups = root.GetProperty("weightsManifest").EnumerateArray().Select(g => new TfjsWeightGroup(
            g.GetProperty("paths").EnumerateArray().Select(p => p.GetString()!).ToList(),
            g.GetProperty("weights").EnumerateArray().Select(w => new TfjsWeightSpec(
                w.GetProperty("name").GetString()!,
                w.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray(),
                w.TryGetProperty("dtype", out var dt) ? dt.GetString()! : "float32")).ToList())).ToList();
        string producer = string.Join(", ", new[] { "generatedBy", "convertedBy" }
            .Where(k => root.TryGetProperty(k, out var v) && v.ValueKind == JsonValueKind.String)
            .Select(k => root.GetProperty(k).GetString()));
        return new TfjsModel(name, layers, inputs, outputs, groups, producer);
    }

    private static TfjsLayer ParseLayer(JsonElement layer)
    {
        string name = layer.GetProperty("name").GetString()!;
        var inputs = new List<string>();
        if (layer.TryGetProperty("inbound_nodes", out var nodes) && nodes.GetArrayLength() > 0)
        {
            if (nodes.GetArrayLength() > 1)
                throw new LookalikeException($"Layer '{name}' is shared (called {nodes.GetArrayLength()} times); shared layers are not supported.");
            foreach (var inbound in nodes[0].EnumerateArray()) inputs.Add(inbound[0].GetString()!);
        }
        return new TfjsLayer(name, layer.GetProperty("class_name").GetString()!, layer.GetProperty("config"), inputs);
    }

    /// <summary>A Sequential model as a chain: each layer consumes the previous one.</summary>
    private static (string Name, List<TfjsLayer> Layers) ParseSequential(JsonElement config)
    {
        var (name, list) = config.ValueKind == JsonValueKind.Array
            ? ("sequential", config)
            : (config.TryGetProperty("name", out var n) ? n.GetString() ?? "sequential" : "sequential", config.GetProperty("layers"));
        var layers = new List<TfjsLayer>();
        foreach (var layer in list.EnumerateArray())
        {
            var layerConfig = layer.GetProperty("config");
            string layerName = layerConfig.GetProperty("name").GetString()!;
            string className = layer.GetProperty("class_name").GetString()!;
            if (layers.Count == 0 && className != "InputLayer")
            {
                // The first layer carries batch_input_shape; make the implicit input layer explicit.
                layers.Add(new TfjsLayer("input", "InputLayer", layerConfig, []));
            }
            layers.Add(new TfjsLayer(layerName, className, layerConfig, layers.Count == 0 ? [] : [layers[^1].Name]));
        }
        return (name, layers);
    }
}
