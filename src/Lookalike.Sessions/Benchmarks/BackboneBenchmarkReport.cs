using System.Globalization;
using System.Text;

namespace Lookalike.Sessions.Benchmarks;

/// <summary>Exact retrieval quality of one backbone on one dataset (cosine, Flat).</summary>
/// <param name="Dataset">Its name.</param>
/// <param name="Database">Database images.</param>
/// <param name="Queries">Query images.</param>
/// <param name="MapAt10">mAP@10.</param>
/// <param name="PrecisionAt10">mP@10.</param>
public sealed record DatasetQuality(string Dataset, int Database, int Queries, double MapAt10, double PrecisionAt10);

/// <summary>One backbone's row.</summary>
/// <param name="Model">Name or file given.</param>
/// <param name="ModelBytes">Size of the ONNX file.</param>
/// <param name="Dimension">Feature dimension.</param>
/// <param name="BytesPerVector">Stored bytes per vector (float32).</param>
/// <param name="InferenceImagesPerSecond">The network alone, on decoded images.</param>
/// <param name="PipelineImagesPerSecond">Indexing a folder into a new collection: read, decode, run, store.</param>
/// <param name="Quality">Per dataset.</param>
public sealed record BackboneResult(string Model, long ModelBytes, int Dimension, int BytesPerVector, double InferenceImagesPerSecond,
    double PipelineImagesPerSecond, IReadOnlyList<DatasetQuality> Quality);

/// <summary>The network's speed under one set of ONNX Runtime settings.</summary>
/// <param name="Setting">What differs from the default.</param>
/// <param name="InferenceImagesPerSecond">The network alone, on decoded images.</param>
public sealed record RuntimeSettingResult(string Setting, double InferenceImagesPerSecond);

/// <summary>A whole comparison, measured in one run.</summary>
/// <param name="Device">Where the networks ran.</param>
/// <param name="Processors">Logical processors of the machine.</param>
/// <param name="Results">One row per backbone, in the order asked.</param>
/// <param name="SettingsModel">The model whose runtime settings were compared, if any.</param>
/// <param name="Settings">Its speed per setting; the first is the default.</param>
public sealed record BackboneBenchmarkReport(string Device, int Processors, IReadOnlyList<BackboneResult> Results, string? SettingsModel = null,
    IReadOnlyList<RuntimeSettingResult>? Settings = null)
{
    private static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Writes the report as JSON (atomically).</summary>
    public void WriteJson(string path) => IO.AtomicFile.Write(path, stream => System.Text.Json.JsonSerializer.Serialize(stream, this, Json));

    /// <summary>The table, with speeds also as ratios to the first backbone (the baseline).</summary>
    public string ToMarkdown()
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        var datasets = Results.SelectMany(r => r.Quality).Select(q => (q.Dataset, q.Database, q.Queries)).Distinct().ToList();
        text.AppendLine(c, $"Backbones on {Device} ({Processors} logical processors); speeds relative to {Results[0].Model}, measured in the same run.");
        text.AppendLine();
        foreach (var (dataset, database, queries) in datasets) text.AppendLine(c, $"- {dataset}: {database} database images, {queries} queries, exact cosine search");
        text.AppendLine();
        text.Append("| backbone | dim | bytes/vector | model MB | inference img/s | × | index pipeline img/s | × |");
        foreach (var (dataset, _, _) in datasets) text.Append(c, $" {dataset} mAP@10 | {dataset} mP@10 |");
        text.AppendLine();
        text.AppendLine("|" + string.Concat(Enumerable.Repeat(" --- |", 8 + (2 * datasets.Count))));
        var baseline = Results[0];
        foreach (var row in Results)
        {
            text.Append(c, $"| {row.Model} | {row.Dimension} | {row.BytesPerVector} | {row.ModelBytes / 1e6:F1} | {row.InferenceImagesPerSecond:F1} | " +
                $"{row.InferenceImagesPerSecond / baseline.InferenceImagesPerSecond:F2} | {row.PipelineImagesPerSecond:F1} | " +
                $"{row.PipelineImagesPerSecond / baseline.PipelineImagesPerSecond:F2} |");
            foreach (var (dataset, _, _) in datasets)
            {
                var quality = row.Quality.FirstOrDefault(q => q.Dataset == dataset);
                text.Append(quality is null ? " – | – |" : string.Create(c, $" {quality.MapAt10:F4} | {quality.PrecisionAt10:F4} |"));
            }
            text.AppendLine();
        }
        if (Settings is { Count: > 0 })
        {
            text.AppendLine();
            text.AppendLine(c, $"ONNX Runtime settings for {SettingsModel} (the network alone, batch 1; × against the first row):");
            text.AppendLine();
            text.AppendLine("| setting | inference img/s | × |");
            text.AppendLine("| --- | --- | --- |");
            foreach (var setting in Settings)
                text.AppendLine(c, $"| {setting.Setting} | {setting.InferenceImagesPerSecond:F1} | {setting.InferenceImagesPerSecond / Settings[0].InferenceImagesPerSecond:F2} |");
        }
        return text.ToString();
    }
}
