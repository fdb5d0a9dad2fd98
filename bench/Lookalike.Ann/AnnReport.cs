using System.Globalization;
using System.Text;
using System.Text.Json;
using Lookalike.Evaluation.Plots;

namespace Lookalike.Ann;

/// <summary>Writes ann.json, ann.md and one recall-vs-q/s plot per dataset (log q/s, one line per index family).</summary>
internal static class AnnReport
{
    public static void Write(string folder, IReadOnlyList<AnnRow> rows, string header)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "ann.json"), JsonSerializer.Serialize(rows.Select(r => new
        {
            dataset = r.Dataset,
            tool = r.Tool,
            index = r.Index,
            family = r.Family,
            @params = r.Params,
            recall10 = r.Recall10,
            qps_1thread = r.Qps1Thread,
            qps_all_threads = r.QpsAllThreads,
            build_s = r.BuildSeconds,
            bytes_per_vector = r.BytesPerVector,
            distances_per_query = r.DistancesPerQuery,
            rounds = r.Rounds,
        }), new JsonSerializerOptions { WriteIndented = true }));
        var md = new StringBuilder(header).AppendLine();
        foreach (var dataset in rows.GroupBy(r => r.Dataset))
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"## {dataset.Key}").AppendLine();
            md.AppendLine("| tool | index | setting | recall@10 | q/s 1 thread | q/s all threads | build s | bytes/vector | distances/query |");
            md.AppendLine("|---|---|---|---:|---:|---:|---:|---:|---:|");
            foreach (var r in dataset)
            {
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {r.Tool} | {r.Index} | {r.Params} | {r.Recall10:F3} | {r.Qps1Thread:F1} | {r.QpsAllThreads:F1} | {r.BuildSeconds:F1} | {r.BytesPerVector:F0} | {(r.DistancesPerQuery is { } d ? d.ToString("F0", CultureInfo.InvariantCulture) : "–")} |");
            }
            md.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"![recall against queries/s on {dataset.Key}](ann-{dataset.Key}.png)").AppendLine();
            Goals(md, [.. dataset]);
            Charts.Lines(Path.Combine(folder, $"ann-{dataset.Key}.png"), $"{dataset.Key}: recall@10 against queries/s (one thread)",
                "recall@10", "log10 queries/s",
                dataset.GroupBy(r => r.Family).Select(f => (f.Key, (IReadOnlyList<(double X, double Y)>)
                    [.. f.Where(r => r.Qps1Thread > 0).Select(r => (r.Recall10, Math.Log10(r.Qps1Thread)))])), ScottPlot.Alignment.LowerLeft);
        }
        File.WriteAllText(Path.Combine(folder, "ann.md"), md.ToString());
    }

    /// <summary>The issue's goals as ratios measured in this run.</summary>
    private static void Goals(StringBuilder md, IReadOnlyList<AnnRow> rows)
    {
        md.AppendLine("| goal | Lookalike | peer | ratio |").AppendLine("|---|---:|---:|---:|");
        void Ratio(string goal, double? ours, double? theirs, string unit)
        {
            string Show(double? v) => v is { } x ? $"{x.ToString("G4", CultureInfo.InvariantCulture)} {unit}" : "–";
            string ratio = ours is { } o && theirs is { } t && t > 0 ? (o / t).ToString("F2", CultureInfo.InvariantCulture) + "×" : "–";
            md.AppendLine(CultureInfo.InvariantCulture, $"| {goal} | {Show(ours)} | {Show(theirs)} | {ratio} |");
        }
        double? Best(string family, double recall) =>
            rows.Where(r => r.Family == family && r.Recall10 >= recall).Select(r => (double?)r.Qps1Thread).Max();
        double? Of(string family, Func<AnnRow, double> value) => rows.Where(r => r.Family == family).Select(r => (double?)value(r)).FirstOrDefault();
        foreach (double recall in new[] { 0.9, 0.95 })
        {
            Ratio($"Hnsw vs hnswlib, best q/s (1 thread) at recall ≥ {recall}", Best("Lookalike Hnsw", recall), Best("hnswlib", recall), "q/s");
        }
        Ratio("Hnsw vs faiss HNSW at recall ≥ 0.95", Best("Lookalike Hnsw", 0.95), Best("faiss HNSW", 0.95), "q/s");
        Ratio("Hnsw vs USearch at recall ≥ 0.95", Best("Lookalike Hnsw", 0.95), Best("USearch HNSW", 0.95), "q/s");
        Ratio("batched exact scan vs faiss Flat (all threads)", Of("Lookalike Flat", r => r.QpsAllThreads), Of("faiss Flat", r => r.QpsAllThreads), "q/s");
        Ratio("one-query exact scan vs faiss Flat (1 thread)", Of("Lookalike Flat", r => r.Qps1Thread), Of("faiss Flat", r => r.Qps1Thread), "q/s");
        // Build time: lower is better, so the ratio is Lookalike's time over faiss's (goal ≤ 1.5).
        Ratio("Ivf build time vs faiss IVFFlat (lower is better)", Of("Lookalike Ivf", r => r.BuildSeconds), Of("faiss IVF", r => r.BuildSeconds), "s");
        Ratio("Hnsw build time vs hnswlib (lower is better)", Of("Lookalike Hnsw", r => r.BuildSeconds), Of("hnswlib", r => r.BuildSeconds), "s");
        Ratio("SQ8 + re-rank at recall ≥ 0.99 vs Lookalike Flat (1 thread)", Best("Lookalike SQ8", 0.99), Of("Lookalike Flat", r => r.Qps1Thread), "q/s");
        Ratio("SQ8 bytes per vector vs Flat's", Of("Lookalike SQ8", r => r.BytesPerVector), Of("Lookalike Flat", r => r.BytesPerVector), "B");
        Ratio("Hnsw at recall ≥ 0.95 vs Lookalike Flat (1 thread)", Best("Lookalike Hnsw", 0.95), Of("Lookalike Flat", r => r.Qps1Thread), "q/s");
        md.AppendLine();
    }
}
