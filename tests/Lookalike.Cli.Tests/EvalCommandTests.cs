using System.Text.Json;
using Lookalike.Evaluation.Datasets;
using Lookalike.IO;
using Lookalike.Tests.Common;

namespace Lookalike.Cli.Tests;

public sealed class EvalCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private void WriteFeatures(string name, int count, int seed)
    {
        const int d = 16;
        float[] data = RecallMeter.Clustered(count, d, clusters: 5, seed);
        NpyFile.Write(_temp.Combine(name), data, count, d);
        File.WriteAllLines(_temp.Combine(name + ".labels.txt"), Enumerable.Range(0, count).Select(i => $"class{i % 5}"));
    }

    [Fact]
    public async Task Eval_compares_indexes_on_feature_files_and_writes_json()
    {
        WriteFeatures("db.npy", 1000, seed: 1);
        WriteFeatures("queries.npy", 100, seed: 1);
        var result = await CliRunner.RunAsync("eval", "--db", _temp.Combine("db.npy"), "--queries", _temp.Combine("queries.npy"),
            "--index", "Flat", "--index", "E2Lsh(tables=4,projections=3,width=8,probes=2)", "--metric", "l2",
            "--queries-per-class", "10", "--json", _temp.Combine("report.json"), "--per-class");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("| Flat | 1.000 |", result.Output);
        Assert.Contains("E2Lsh(tables=4,projections=3,width=8,probes=2,seed=42)", result.Output);
        Assert.Contains("Per class, Flat:", result.Output);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(_temp.Combine("report.json")));
        Assert.Equal(50, json.RootElement.GetProperty("queryCount").GetInt32());
        var indexes = json.RootElement.GetProperty("indexes");
        Assert.Equal(2, indexes.GetArrayLength());
        Assert.Equal(1.0, indexes[0].GetProperty("overall").GetProperty("recallAt10").GetDouble());
        Assert.True(indexes[1].GetProperty("visitedShare").GetDouble() < 1);
    }

    [Fact]
    public async Task Eval_rejects_unlabelled_queries_and_unknown_indexes()
    {
        NpyFile.Write(_temp.Combine("plain.npy"), new float[20], 10, 2);
        var unlabelled = await CliRunner.RunAsync("eval", "--db", _temp.Combine("plain.npy"), "--queries", _temp.Combine("plain.npy"));
        Assert.Equal(1, unlabelled.ExitCode);
        Assert.Contains("carry no labels", unlabelled.Error);

        WriteFeatures("db.npy", 50, seed: 2);
        var unknown = await CliRunner.RunAsync("eval", "--db", _temp.Combine("db.npy"), "--queries", _temp.Combine("db.npy"), "--index", "Annoy(trees=3)");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("Unknown index type 'Annoy'", unknown.Error);
    }

    public void Dispose() => _temp.Dispose();
}
