using System.Text.Json;
using Lookalike.Evaluation.Plots;
using Lookalike.Evaluation.Reports;
using Lookalike.Evaluation.Sweeps;
using Lookalike.Indexes;
using Lookalike.Tests.Common;
using SkiaSharp;

namespace Lookalike.Evaluation.Tests.Sweeps;

public sealed class SweepTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    [Fact]
    public void A_two_by_two_sweep_writes_rows_json_and_plots()
    {
        var db = SeededSets.Clustered(2000, 16, clusters: 10, seed: 3);
        var queries = SeededSets.Clustered(100, 16, clusters: 10, seed: 3);
        var sweep = Sweep.Run(db, queries, new SweepOptions(["E2Lsh(tables=2,8,projections=2..3,width=6)"], DistanceMetric.L2));

        Assert.Equal(5, sweep.Rows.Count);
        Assert.True(sweep.Rows[0].Exact);
        Assert.Equal(1.0, sweep.Rows[0].RecallAt10);
        Assert.Equal(100, sweep.Rows[0].VisitedPercent, 6);
        var lsh = sweep.Rows.Skip(1).ToList();
        Assert.All(lsh, r => Assert.InRange(r.VisitedPercent, 0, 100));
        // More tables can only add candidates (the tables of L=2 are the first two of L=8).
        foreach (string projections in new[] { "2", "3" })
        {
            var few = lsh.Single(r => r.Parameters["tables"] == "2" && r.Parameters["projections"] == projections);
            var many = lsh.Single(r => r.Parameters["tables"] == "8" && r.Parameters["projections"] == projections);
            Assert.True(many.VisitedPercent >= few.VisitedPercent && many.RecallAt10 >= few.RecallAt10);
        }

        string json = _temp.Combine("sweep.json");
        SweepReportWriter.WriteJson(sweep, json);
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(5, document.RootElement.GetProperty("rows").GetArrayLength());
        Assert.Equal(sweep.Rows[3].Spec, SweepReportWriter.ReadJson(json).Rows[3].Spec);
        Assert.Contains("| Flat (exact) | 1.0000 |", SweepReportWriter.ToMarkdown(sweep));

        var plots = SweepPlots.Write(sweep, _temp.Path);
        Assert.Equal(["map-vs-tables.png", "visited-vs-tables.png", "map-vs-projections.png", "visited-vs-projections.png",
            "pareto-recall-vs-visited.png", "pareto-recall-vs-qps.png"], plots);
        foreach (string plot in plots) AssertPng(_temp.Combine(plot));
        string html = SweepReportWriter.ToHtml(sweep, plots, "b");
        Assert.Contains("<img src=\"pareto-recall-vs-visited.png\"", html);
    }

    [Fact]
    public void Search_time_parameters_share_one_build_and_queries_per_second_are_measured()
    {
        var db = SeededSets.Clustered(3000, 16, clusters: 30, seed: 5);
        var queries = SeededSets.Clustered(60, 16, clusters: 30, seed: 6);
        var sweep = Sweep.Run(db, queries, new SweepOptions(["Ivf(lists=32,nprobe=1,2,8)", "Hnsw(m=8,efSearch=8,64)"], DistanceMetric.L2));

        var ivf = sweep.Rows.Where(r => r.Spec.StartsWith("Ivf(", StringComparison.Ordinal)).ToList();
        var hnsw = sweep.Rows.Where(r => r.Spec.StartsWith("Hnsw(", StringComparison.Ordinal)).ToList();
        Assert.Equal(["Ivf(lists=32,nprobe=1,seed=42)", "Ivf(lists=32,nprobe=2,seed=42)", "Ivf(lists=32,nprobe=8,seed=42)"], ivf.Select(r => r.Spec));
        // One k-means for the three nprobe values, one graph for both efSearch values: the same build time on every row.
        Assert.Single(ivf.Select(r => r.BuildSeconds).Distinct());
        Assert.Single(hnsw.Select(r => r.BuildSeconds).Distinct());
        // Each row still searched with its own value.
        Assert.True(ivf[0].VisitedPercent < ivf[1].VisitedPercent && ivf[1].VisitedPercent < ivf[2].VisitedPercent);
        Assert.True(ivf[2].RecallAt10 >= ivf[0].RecallAt10);
        Assert.True(hnsw[1].RecallAt10 >= hnsw[0].RecallAt10);
        Assert.All(sweep.Rows, r => Assert.True(r.QueriesPerSecond > 0 && r.QueriesPerSecondAllCores > 0 && double.IsFinite(r.QueriesPerSecond)));
    }

    [Fact]
    public void Distractors_are_measured_with_and_without()
    {
        var db = SeededSets.Clustered(1000, 8, clusters: 5, seed: 4);
        var noise = SeededSets.Clustered(1000, 8, clusters: 50, seed: 99, name: "noise");
        var queries = SeededSets.Clustered(50, 8, clusters: 5, seed: 4);
        var sweep = Sweep.Run(db.Concat(noise, unlabel: true), queries, new SweepOptions(["Flat"], DistanceMetric.L2), 1000, db);
        var row = Assert.Single(sweep.Rows);
        Assert.Equal(1000, sweep.DistractorCount);
        Assert.NotNull(row.MapWithoutDistractors);
        Assert.True(row.MapWithoutDistractors >= row.Map, $"{row.MapWithoutDistractors} < {row.Map}");
        Assert.Contains("without distractors", SweepReportWriter.ToMarkdown(sweep));
    }

    [Fact]
    public void The_pareto_front_keeps_only_undominated_settings()
    {
        SweepRow Row(string spec, double recall, double visited) =>
            new(spec, new Dictionary<string, string>(), false, 0, 0, recall, visited, 1, 1000, 0, null);
        var rows = new[] { Row("a", 0.5, 1), Row("b", 0.4, 2), Row("c", 0.8, 3), Row("d", 0.8, 5), Row("e", 0.9, 9) };
        Assert.Equal(["a", "c", "e"], SweepPlots.ParetoFront(rows, r => r.VisitedPercent, lowerIsBetter: true).Select(r => r.Spec));
    }

    internal static void AssertPng(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 10_000, $"{path} is only {bytes.Length} bytes");
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
        using var bitmap = SKBitmap.Decode(bytes);
        Assert.Equal((Charts.Width, Charts.Height), (bitmap.Width, bitmap.Height));
        // Not blank: a plot has many colours (axes, text, lines).
        Assert.True(bitmap.Pixels.Distinct().Count() > 20);
    }

    public void Dispose() => _temp.Dispose();
}
