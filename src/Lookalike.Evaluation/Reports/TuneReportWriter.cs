using System.Text.Json;
using Lookalike.Evaluation.Tuning;
using Lookalike.IO;

namespace Lookalike.Evaluation.Reports;

/// <summary>Writes a <see cref="TuneResult"/> as JSON: the choice (spec, recall10, visited_percent, qps, check_recall10, check_visited_percent) and every candidate.</summary>
public static class TuneReportWriter
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>Writes <paramref name="result"/> to <paramref name="path"/> (atomically).</summary>
    public static void WriteJson(TuneResult result, string path)
    {
        var document = new Dictionary<string, object?>
        {
            ["spec"] = result.Spec,
            ["recall10"] = result.TuningRecall,
            ["visited_percent"] = result.Candidates.FirstOrDefault(c => c.Spec == result.Spec)?.VisitedPercent,
            ["qps"] = result.CheckQueriesPerSecond.Chosen,
            ["flat_qps"] = result.CheckQueriesPerSecond.Flat,
            ["check_recall10"] = result.CheckRecall,
            ["check_visited_percent"] = result.CheckVisitedPercent,
            ["database"] = result.Database,
            ["evaluations"] = result.Evaluations,
            ["candidates"] = result.Candidates.Select(c => new Dictionary<string, object>
            {
                ["spec"] = c.Spec,
                ["recall10"] = c.Recall,
                ["visited_percent"] = c.VisitedPercent,
            }).ToList(),
        };
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(document, Json));
    }
}
