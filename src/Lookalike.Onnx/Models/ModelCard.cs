using System.Text.Json;
using Lookalike.IO;

namespace Lookalike.Onnx.Models;

/// <summary>
/// What is known of a model file <c>model fetch</c> wrote, kept beside it as <c>NAME.card.json</c>:
/// where it came from (and that source's hash), the model's own hash, how it is fed, its license.
/// A model counts as present only when its card names its current hash.
/// </summary>
/// <param name="Name">The backbone name.</param>
/// <param name="Source">Where the weights came from.</param>
/// <param name="SourceSha256">SHA-256 of the downloaded package, or of the parent model.</param>
/// <param name="OnnxSha256">SHA-256 of the ONNX file.</param>
/// <param name="Bytes">Size of the ONNX file.</param>
/// <param name="Preprocessing">How images are fed, in one line.</param>
/// <param name="Input">The input tensor, in words.</param>
/// <param name="Outputs">Output names.</param>
/// <param name="License">License of the weights.</param>
/// <param name="ConvertedAt">When the file was written.</param>
/// <param name="ConversionSeconds">How long building it took.</param>
/// <param name="Notes">Anything else worth knowing (calibration, cuts made to the graph).</param>
public sealed record ModelCard(string Name, string Source, string SourceSha256, string OnnxSha256, long Bytes,
    string Preprocessing, string Input, IReadOnlyList<string> Outputs, string License, DateTimeOffset ConvertedAt,
    double ConversionSeconds, string? Notes = null)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Writes the card (last, after the model and its labels).</summary>
    public void Write(string path) => AtomicFile.Write(path, s => JsonSerializer.Serialize(s, this, Json));

    /// <summary>The card at <paramref name="path"/>, or null when it is missing or unreadable.</summary>
    public static ModelCard? Read(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<ModelCard>(File.ReadAllBytes(path), Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>True when <paramref name="backbone"/>'s model, labels (if <paramref name="withLabels"/>) and a card naming the model's hash are in place.</summary>
    public static bool IsPresent(Backbone backbone, string modelsDirectory, bool withLabels)
    {
        string model = backbone.PathIn(modelsDirectory);
        if (!File.Exists(model) || (withLabels && !File.Exists(backbone.LabelsPathIn(modelsDirectory)))) return false;
        return Read(backbone.CardPathIn(modelsDirectory)) is { } card
            && card.Bytes == new FileInfo(model).Length && card.OnnxSha256 == FileHash.Sha256Of(model);
    }
}
