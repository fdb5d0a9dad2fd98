using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lookalike.Onnx.Tests.Import;

/// <summary>Writes small TensorFlow.js layers models (model.json + shards) with seeded random weights.</summary>
internal sealed class TinyTfjsModel
{
    private readonly List<JsonObject> _layers = [];
    private readonly List<(string Name, int[] Shape, float[] Values)> _weights = [];
    private readonly Random _random = new(42);

    public Dictionary<string, float[]> Weights { get; } = [];

    public TinyTfjsModel Layer(string className, string name, JsonObject config, params string[] inputs)
    {
        config["name"] = name;
        var inbound = new JsonArray(inputs.Select(i => (JsonNode)new JsonArray(i, 0, 0, new JsonObject())).ToArray());
        _layers.Add(new JsonObject
        {
            ["name"] = name,
            ["class_name"] = className,
            ["config"] = config,
            ["inbound_nodes"] = inputs.Length == 0 ? new JsonArray() : new JsonArray(inbound),
        });
        return this;
    }

    public TinyTfjsModel Weight(string name, int[] shape, float low = -1, float high = 1)
    {
        var values = new float[shape.Aggregate(1, (a, b) => a * b)];
        for (int i = 0; i < values.Length; i++) values[i] = low + ((high - low) * (float)_random.NextDouble());
        _weights.Add((name, shape, values));
        Weights[name] = values;
        return this;
    }

    /// <summary>Writes the model; weights are split over <paramref name="shards"/> files.</summary>
    public void Write(string directory, string output, int shards = 2)
    {
        Directory.CreateDirectory(directory);
        var bytes = _weights.SelectMany(w => MemoryMarshal.AsBytes(w.Values.AsSpan()).ToArray()).ToArray();
        int per = (bytes.Length + shards - 1) / shards;
        var paths = new JsonArray();
        for (int s = 0; s < shards; s++)
        {
            string shard = $"group1-shard{s + 1}of{shards}.bin";
            File.WriteAllBytes(Path.Combine(directory, shard), bytes.Skip(s * per).Take(per).ToArray());
            paths.Add(shard);
        }
        var manifest = new JsonArray(new JsonObject
        {
            ["paths"] = paths,
            ["weights"] = new JsonArray(_weights.Select(w => (JsonNode)new JsonObject
            {
                ["name"] = w.Name,
                ["shape"] = new JsonArray(w.Shape.Select(d => (JsonNode)d).ToArray()),
                ["dtype"] = "float32",
            }).ToArray()),
        });
        var model = new JsonObject
        {
            ["format"] = "layers-model",
            ["generatedBy"] = "tests",
            ["modelTopology"] = new JsonObject
            {
                ["keras_version"] = "2.2.4",
                ["model_config"] = new JsonObject
                {
                    ["class_name"] = "Model",
                    ["config"] = new JsonObject
                    {
                        ["name"] = "tiny",
                        ["layers"] = new JsonArray(_layers.Select(l => (JsonNode)l).ToArray()),
                        ["input_layers"] = new JsonArray(new JsonArray(_layers[0]["name"]!.GetValue<string>(), 0, 0)),
                        ["output_layers"] = new JsonArray(new JsonArray(output, 0, 0)),
                    },
                },
            },
            ["weightsManifest"] = manifest,
        };
        File.WriteAllText(Path.Combine(directory, "model.json"), model.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
