using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Lookalike.Evaluation.Plots;
using Lookalike.Evaluation.Statistics;
using Lookalike.IO;

namespace Lookalike.Evaluation.Reports;

/// <summary>Writes distance statistics as Markdown, JSON, histograms (PNG) and an optional HTML page.</summary>
public static class StatisticsReportWriter
{
    /// <summary>Tables of the summaries: random pairs, 10 nearest neighbours, and same-class pairs per class.</summary>
    public static string ToMarkdown(DistanceStatisticsReport report)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(c, $"{report.Source}: {report.Count} vectors, {report.Dimension}-d, mean norm {report.MeanNorm:G4}.");
        text.AppendLine();
        text.AppendLine("| pairs | measure | n | mean | median | p5 | p25 | p75 | p95 | min | max |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        void Rows(string name, PairSummary pair)
        {
            foreach (var (measure, s) in new[] { ("Euclidean distance", pair.Euclidean), ("cosine similarity", pair.Cosine) })
                text.AppendLine(c, $"| {name} | {measure} | {s.Count} | {s.Mean:G4} | {s.Median:G4} | {s.P5:G4} | {s.P25:G4} | {s.P75:G4} | {s.P95:G4} | {s.Min:G4} | {s.Max:G4} |");
        }
        Rows("random", report.RandomPairs);
        Rows($"{DistanceStatistics.Neighbours} nearest", report.Neighbours);
        foreach (var (label, pair) in report.SameClassPairs) Rows($"same class: {label}", pair);
        return text.ToString();
    }

    /// <summary>Writes <c>stats.json</c>, <c>stats.md</c>, one histogram per sample and, when asked, <c>stats.html</c>.</summary>
    /// <returns>The files written.</returns>
    public static IReadOnlyList<string> Write(DistanceStatisticsReport report, string folder, bool html)
    {
        Directory.CreateDirectory(folder);
        var files = new List<string> { "stats.json", "stats.md" };
        AtomicFile.Write(Path.Combine(folder, "stats.json"), s => JsonSerializer.Serialize(s, report, ReportJson.Options));
        string markdown = ToMarkdown(report);
        AtomicFile.WriteAllText(Path.Combine(folder, "stats.md"), markdown);
        var plots = new List<string>();
        foreach (var (name, values) in report.Samples)
        {
            string file = $"hist-{name}.png";
            string measure = name.StartsWith("cosine", StringComparison.Ordinal) ? "cosine similarity" : "Euclidean distance";
            Charts.Histogram(Path.Combine(folder, file), $"{measure}: {name.Replace('-', ' ')} ({values.Count} pairs)", measure, values);
            plots.Add(file);
        }
        files.AddRange(plots);
        if (html)
        {
            var page = new StringBuilder();
            page.AppendLine("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Lookalike distance statistics</title>");
            page.AppendLine("<style>body{font-family:system-ui,sans-serif;margin:1rem auto;max-width:70rem;padding:0 1rem}pre{white-space:pre-wrap}img{max-width:100%}</style></head><body>");
            page.AppendLine(CultureInfo.InvariantCulture, $"<h1>Distance statistics</h1><pre>{WebUtility.HtmlEncode(markdown)}</pre>");
            foreach (string plot in plots) page.AppendLine(CultureInfo.InvariantCulture, $"<figure><img src=\"{plot}\" alt=\"{WebUtility.HtmlEncode(plot)}\"></figure>");
            page.AppendLine("</body></html>");
            AtomicFile.WriteAllText(Path.Combine(folder, "stats.html"), page.ToString());
            files.Add("stats.html");
        }
        return files;
    }
}
