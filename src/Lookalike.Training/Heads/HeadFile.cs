using System.Runtime.InteropServices;
using System.Text.Json;
using Lookalike.Errors;
using Lookalike.IO;
using Lookalike.Training.Networks;

namespace Lookalike.Training.Heads;

/// <summary>
/// Saves and loads a <see cref="HeadModel"/> as one JSON file: spec, classes, embedding layer, loss,
/// standardisation and every layer's weights (float32, little-endian, base64).
/// </summary>
public static class HeadFile
{
    private const string Format = "lookalike-head/1";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private sealed record LayerRecord(string Kind, int Inputs, int Outputs, string? Activation, double? Rate, string? Weights, string? Bias);

    private sealed record Document(string Format, string Spec, string Loss, int Inputs, int EmbeddingLayer, IReadOnlyList<string> Classes,
        string Mean, string Scale, string? Centroids, IReadOnlyList<LayerRecord> Layers);

    /// <summary>Writes <paramref name="head"/> to <paramref name="path"/> atomically.</summary>
    public static void Save(HeadModel head, string path)
    {
        var layers = head.Network.Layers.Select(l => l switch
        {
            DenseLayer d => new LayerRecord("dense", d.Inputs, d.Outputs, d.Activation.ToString().ToLowerInvariant(), null,
                Encode(d.Weights.Value), Encode(d.Bias.Value)),
            DropoutLayer o => new LayerRecord("dropout", o.Inputs, o.Outputs, null, o.Rate, null, null),
            _ => throw new InvalidOperationException($"Cannot save layer {l.GetType().Name}."),
        }).ToList();
        var document = new Document(Format, head.Spec, head.Loss.ToString().ToLowerInvariant(), head.Inputs, head.EmbeddingLayer, head.Classes,
            Encode(head.Scaling.Mean), Encode(head.Scaling.Scale), head.Centroids is null ? null : Encode(head.Centroids), layers);
        AtomicFile.Write(path, s => JsonSerializer.Serialize(s, document, Json));
    }

    /// <summary>Reads a head written by <see cref="Save"/>.</summary>
    /// <exception cref="LookalikeException">when the file is missing or not a head.</exception>
    public static HeadModel Load(string path)
    {
        if (!File.Exists(path)) throw new LookalikeException($"Head file '{path}' does not exist.");
        Document? document;
        try
        {
            document = JsonSerializer.Deserialize<Document>(File.ReadAllBytes(path), Json);
        }
        catch (JsonException e)
        {
            throw new LookalikeException($"'{path}' is not a Lookalike head file: {e.Message}", e);
        }
        if (document is null || document.Format != Format) throw new LookalikeException($"'{path}' is not a Lookalike head file ({Format}).");
        var random = new Random(0);
        var layers = new List<Layer>();
        foreach (var record in document.Layers)
        {
            if (record.Kind == "dropout")
            {
                layers.Add(new DropoutLayer(record.Inputs, record.Rate ?? 0, random));
                continue;
            }
            var activation = Enum.Parse<Activation>(record.Activation ?? "none", ignoreCase: true);
            var dense = new DenseLayer(record.Inputs, record.Outputs, activation, random, $"dense{layers.Count + 1}");
            Decode(record.Weights!).CopyTo(dense.Weights.Value, 0);
            Decode(record.Bias!).CopyTo(dense.Bias.Value, 0);
            layers.Add(dense);
        }
        return new HeadModel(new Network(layers), new FeatureScaling(Decode(document.Mean), Decode(document.Scale)), document.Classes, document.EmbeddingLayer,
            Enum.Parse<HeadLoss>(document.Loss, ignoreCase: true), document.Spec, document.Centroids is null ? null : Decode(document.Centroids));
    }

    private static string Encode(float[] values) => Convert.ToBase64String(MemoryMarshal.AsBytes(values.AsSpan()));

    private static float[] Decode(string text) => MemoryMarshal.Cast<byte, float>(Convert.FromBase64String(text)).ToArray();
}
