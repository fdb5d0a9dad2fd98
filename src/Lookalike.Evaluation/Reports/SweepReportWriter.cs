using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Lookalike.Evaluation.Sweeps;
using Lookalike.IO;

namespace Lookalike.Evaluation.Reports;

/// <summary>Writes a sweep as <c>sweep.json</c>, <c>sweep.md</c> and, on request, <c>sweep.html</c> with the plots.</summary>
public static class SweepReportWriter
{
    /// <summary>Writes the sweep as JSON atomically.</summary>
    public static void WriteJson(SweepResult sweep, string path) =>
        AtomicFile.Write(path, stream => JsonSerializer.Serialize(stream, sweep, ReportJson.Options));

    /// <summary>Reads a sweep written by <see cref="WriteJson"/>.</summary>
    public static SweepResult ReadJson(string path) =>
        JsonSerializer.Deserialize<SweepResult>(File.ReadAllBytes(path), ReportJson.Options)
            ?? throw new Errors.LookalikeException($"'{path}' holds no sweep.");

    /// <summary>One row per setting: mAP, mP@10, recall@10, visited %, latency p50 (and mAP without distractors when measured).</summary>
    public static string ToMarkdown(SweepResult sweep)
    {
        var c = CultureInfo.InvariantCulture;
        bool distractors = sweep.Rows.Any(r => r.MapWithoutDistractors is not null);
        var text = new StringBuilder();
        text.AppendLine(c, $"Database: {sweep.Database} ({sweep.DatabaseCount} labelled + {sweep.DistractorCount} distractors); " +
            $"queries: {sweep.QuerySet} ({sweep.QueryCount}); {sweep.Metric}, k = {sweep.K}; {sweep.Rows.Count} settings.");
        text.AppendLine();
        text.AppendLine(distractors
            ? $"| index | mAP@{sweep.K} | mAP@{sweep.K} without distractors | mP@10 | recall@10 | visited % | p50 ms | queries/s 1 thread | queries/s all cores | build s |"
            : $"| index | mAP@{sweep.K} | mP@10 | recall@10 | visited % | p50 ms | queries/s 1 thread | queries/s all cores | build s |");
        text.AppendLine(distractors ? "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|" : "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in sweep.Rows)
        {
            string without = distractors ? string.Create(c, $" {r.MapWithoutDistractors:F4} |") : "";
            text.AppendLine(c,
                $"| {r.Spec}{(r.Exact ? " (exact)" : "")} | {r.Map:F4} |{without} {r.PrecisionAt10:F4} | {r.RecallAt10:F4} | {r.VisitedPercent:F2} | {r.LatencyP50Ms:F3} | {r.QueriesPerSecond:F0} | {r.QueriesPerSecondAllCores:F0} | {r.BuildSeconds:F2} |");
        }
        return text.ToString();
    }

    /// <summary>The table and the plots on one page (the PNG files are referenced by name, beside the page).</summary>
    public static string ToHtml(SweepResult sweep, IReadOnlyList<string> plots, string? picked = null)
    {
        var c = CultureInfo.InvariantCulture;
        var html = new StringBuilder();
        html.AppendLine("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        html.AppendLine("<title>Lookalike sweep</title><style>body{font-family:system-ui,sans-serif;margin:1rem auto;max-width:70rem;padding:0 1rem}" +
            "table{border-collapse:collapse;font-size:.9rem}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:right}td:first-child,th:first-child{text-align:left}" +
            "tr.exact{background:#fde}figure{margin:1rem 0}img{max-width:100%}</style></head><body>");
        html.AppendLine(c, $"<h1>Sweep</h1><p>Database: {E(sweep.Database)} ({sweep.DatabaseCount} labelled + {sweep.DistractorCount} distractors); " +
            $"queries: {E(sweep.QuerySet)} ({sweep.QueryCount}); {E(sweep.Metric)}, k = {sweep.K}.</p>");
        if (picked is not null) html.AppendLine(c, $"<p><strong>Picked:</strong> {E(picked)}</p>");
        html.AppendLine(c, $"<table><thead><tr><th>index</th><th>mAP@{sweep.K}</th><th>without distractors</th><th>mP@10</th><th>recall@10</th><th>visited %</th><th>p50 ms</th><th>queries/s 1 thread</th><th>queries/s all cores</th></tr></thead><tbody>");
        foreach (var r in sweep.Rows)
        {
            html.AppendLine(c, $"<tr{(r.Exact ? " class=\"exact\"" : "")}><td>{E(r.Spec)}</td><td>{r.Map:F4}</td><td>{(r.MapWithoutDistractors is { } m ? m.ToString("F4", c) : "")}</td>" +
                $"<td>{r.PrecisionAt10:F4}</td><td>{r.RecallAt10:F4}</td><td>{r.VisitedPercent:F2}</td><td>{r.LatencyP50Ms:F3}</td><td>{r.QueriesPerSecond:F0}</td><td>{r.QueriesPerSecondAllCores:F0}</td></tr>");
        }
        html.AppendLine("</tbody></table>");
        foreach (string plot in plots)
            html.AppendLine(c, $"<figure><img src=\"{E(plot)}\" alt=\"{E(Path.GetFileNameWithoutExtension(plot).Replace('-', ' '))}\"></figure>");
        html.AppendLine("</body></html>");
        return html.ToString();
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
