using Lookalike.Evaluation.Datasets;
using Lookalike.IO;
using Lookalike.Tests.Common;

namespace Lookalike.Cli.Tests;

/// <summary><c>sweep</c>, <c>tune</c>, <c>stats</c> and <c>check</c> end to end on seeded feature files and real images.</summary>
public sealed class AnalysisCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string WriteFeatures(string name, int count, int seed, int clusters = 5)
    {
        const int d = 16;
        NpyFile.Write(_temp.Combine(name), RecallMeter.Clustered(count, d, clusters, seed), count, d);
        File.WriteAllLines(_temp.Combine(name + ".labels.txt"), Enumerable.Range(0, count).Select(i => $"class{i % clusters}"));
        return _temp.Combine(name);
    }

    [Fact]
    public async Task Sweep_writes_table_json_plots_and_html_and_picks()
    {
        string db = WriteFeatures("db.npy", 1500, seed: 1), queries = WriteFeatures("q.npy", 100, seed: 1);
        string output = _temp.Combine("sweep");
        var result = await CliRunner.RunAsync("sweep", "--db", db, "--queries", queries, "--metric", "l2",
            "--index", "E2Lsh(tables=2,6,projections=2..3,width=8)", "--out", output, "--pick", "recall>=0.5", "--html");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("| Flat (exact) | 1.0000 |", result.Output);
        Assert.Contains("Picked: E2Lsh(", result.Output);
        foreach (string file in new[] { "sweep.json", "sweep.md", "sweep.html", "map-vs-tables.png", "pareto-recall-vs-visited.png" })
            Assert.True(File.Exists(Path.Combine(output, file)), file);

        var again = await CliRunner.RunAsync("sweep", "--from-json", Path.Combine(output, "sweep.json"), "--out", output, "--pick", "recall>=1.01");
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("Picked: no setting meets recall>=1.01", again.Output);
    }

    [Fact]
    public async Task Sweep_without_inputs_is_a_usage_error()
    {
        var result = await CliRunner.RunAsync("sweep", "--out", _temp.Combine("x"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("sweep needs --db, --queries and --index", result.Error);
    }

    [Fact]
    public async Task Tune_and_stats_run_on_a_feature_file()
    {
        string db = WriteFeatures("tune.npy", 3000, seed: 2, clusters: 30);
        var tune = await CliRunner.RunAsync("tune", "--db", db, "--metric", "l2", "--target-recall", "0.85", "--sample", "100");
        Assert.Equal(0, tune.ExitCode);
        Assert.Contains("Chosen: E2Lsh(", tune.Output);

        string report = _temp.Combine("tune.json");
        var family = await CliRunner.RunAsync("tune", "--db", db, "--metric", "cosine", "--family", "lsh", "--target-recall", "0.85", "--sample", "100",
            "--max-visited", "40", "--json", report);
        Assert.Equal(0, family.ExitCode);
        Assert.Contains("q/s on one thread", family.Output);
        using (var json = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(report)))
        {
            var root = json.RootElement;
            foreach (string field in new[] { "spec", "recall10", "visited_percent", "qps", "check_recall10", "check_visited_percent" })
                Assert.True(root.TryGetProperty(field, out _), field);
            Assert.True(root.GetProperty("recall10").GetDouble() >= 0.85);
            Assert.InRange(root.GetProperty("visited_percent").GetDouble(), 0, 40);
            Assert.Contains(root.GetProperty("candidates").EnumerateArray(), c => c.GetProperty("spec").GetString()!.StartsWith("CrossPolytopeLsh(", StringComparison.Ordinal));
        }
        var bad = await CliRunner.RunAsync("tune", "--db", db, "--family", "pq");
        Assert.Equal(2, bad.ExitCode);

        var stats = await CliRunner.RunAsync("stats", "--db", db, "--out", _temp.Combine("stats"), "--html", "--pairs", "2000");
        Assert.Equal(0, stats.ExitCode);
        Assert.Contains("| random | Euclidean distance | 2000 |", stats.Output);
        Assert.True(File.Exists(_temp.Combine("stats", "hist-euclidean-random-pairs.png")));
        Assert.True(File.Exists(_temp.Combine("stats", "stats.html")));
    }

    [SharedDataFact]
    public async Task Check_lists_bad_files_and_moves_them_without_deleting()
    {
        string folder = _temp.Combine("photos");
        Directory.CreateDirectory(Path.Combine(folder, "cats"));
        File.Copy(TestData.Photo("chelsea.png"), Path.Combine(folder, "cats", "chelsea.png"));
        byte[] rocket = await File.ReadAllBytesAsync(TestData.Photo("rocket.jpg"));
        await File.WriteAllBytesAsync(Path.Combine(folder, "cats", "cut.jpg"), rocket[..5000]);
        await File.WriteAllBytesAsync(Path.Combine(folder, "empty.png"), []);
        File.Copy(TestData.Photo("coffee.png"), Path.Combine(folder, "coffee.jpg"));

        string aside = _temp.Combine("aside");
        var result = await CliRunner.RunAsync("check", folder, "--move-to", aside);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("truncated", result.Output);
        Assert.Contains("empty", result.Output);
        Assert.Contains("wrong extension", result.Output);
        Assert.Contains("2 cannot be decoded, 1 with a wrong extension", result.Output);
        Assert.Equal(rocket[..5000], await File.ReadAllBytesAsync(Path.Combine(aside, "cats", "cut.jpg")));
        Assert.True(File.Exists(Path.Combine(aside, "empty.png")));
        Assert.False(File.Exists(Path.Combine(folder, "cats", "cut.jpg")));
        Assert.True(File.Exists(Path.Combine(folder, "coffee.jpg")), "a decodable file with the wrong extension stays");
        Assert.True(File.Exists(Path.Combine(folder, "cats", "chelsea.png")));
        // With the bad files moved away, only the warning is left: success.
        var again = await CliRunner.RunAsync("check", folder);
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("0 cannot be decoded, 1 with a wrong extension", again.Output);
    }

    public void Dispose() => _temp.Dispose();
}
