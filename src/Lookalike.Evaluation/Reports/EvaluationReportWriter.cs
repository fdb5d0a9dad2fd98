using System.Globalization;
using System.Text;
using System.Text.Json;
using Lookalike.Evaluation.Metrics;
using Lookalike.IO;

namespace Lookalike.Evaluation.Reports;

/// <summary>Formats an <see cref="EvaluationReport"/> as Markdown tables or JSON.</summary>
public static class EvaluationReportWriter
{
    /// <summary>Writes the report as JSON atomically.</summary>
    public static void WriteJson(EvaluationReport report, string path) =>
        AtomicFile.Write(path, stream => JsonSerializer.Serialize(stream, report, ReportJson.Options));

    /// <summary>The report as Markdown: one overall row per index, then a per-class table per index.</summary>
    public static string ToMarkdown(EvaluationReport report, bool perClass = true)
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"Database: {report.Database} ({report.DatabaseCount} labelled + {report.DistractorCount} distractors); " +
            $"queries: {report.QuerySet} ({report.QueryCount}); {report.Dimension}-d, {report.Metric}, k = {report.K}.");
        text.AppendLine();
        text.AppendLine(c, $"| index | mAP@{report.K} | mAP (full) | mP@10 = P@10 | P@50 | top-1 | top-5 | top-10 | recall@10 | mean dist | mean cos | visited/q | visited % | dist/q | p50 ms | p95 ms | build s |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var index in report.Indexes)
        {
            var m = index.Overall;
            text.AppendLine(c, $"| {index.Spec} | {F(m.MapAtK)} | {(m.MapFull is { } full ? F(full) : "—")} | {F(m.PrecisionAt10)} | {F(m.PrecisionAt50)} | " +
                $"{F(m.Top1)} | {F(m.Top5)} | {F(m.Top10)} | {F(m.RecallAt10)} | {F(m.MeanDistance)} | {F(m.MeanSimilarity)} | " +
                $"{m.VisitedPerQuery:F0} | {index.VisitedShare * 100:F2} | {m.DistancesPerQuery:F0} | {index.LatencyP50Ms:F2} | {index.LatencyP95Ms:F2} | {index.BuildSeconds:F2} |");
        }
        if (!perClass) return text.ToString();
        foreach (var index in report.Indexes)
        {
            text.AppendLine();
            text.AppendLine(c, $"Per class, {index.Spec}:");
            text.AppendLine();
            text.AppendLine(c, $"| class | queries | mAP@{report.K} | mAP (full) | P@10 | P@50 | top-1 | recall@10 | visited/q |");
            text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var (label, m) in index.PerClass)
            {
                text.AppendLine(c, $"| {label} | {m.Queries} | {F(m.MapAtK)} | {(m.MapFull is { } full ? F(full) : "—")} | {F(m.PrecisionAt10)} | " +
                    $"{F(m.PrecisionAt50)} | {F(m.Top1)} | {F(m.RecallAt10)} | {m.VisitedPerQuery:F0} |");
            }
        }
        return text.ToString();
    }

    private static string F(double value) => double.IsNaN(value) ? "—" : value.ToString("F3", CultureInfo.InvariantCulture);
}
