using System.Diagnostics;
using Lookalike.Collections;
using Lookalike.Tests.Common;
using Xunit.Abstractions;

namespace Lookalike.Cli.Tests;

/// <summary>
/// <c>lookalike index</c> killed with SIGKILL at many points (while starting, extracting, and inside
/// commits) and started again: after every kill the collection opens and holds only whole images, and
/// after the last run it equals the collection of one uninterrupted run.
/// </summary>
public sealed class CrashSafetyTests(ITestOutputHelper output) : IDisposable
{
    private const int Kills = 12;
    private readonly TempDirectory _temp = new();

    private static ProcessStartInfo Index(string images, string collection)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in new[]
        {
            "exec", Path.Combine(AppContext.BaseDirectory, "lookalike.dll"), "index", images, "--collection", collection,
            "--model", TestData.ModelPath, "--labels-from-folders", "--commit-every", "3",
        })
        {
            start.ArgumentList.Add(argument);
        }
        return start;
    }

    [SharedDataFact]
    public async Task Killed_at_twelve_points_the_collection_ends_equal_to_an_uninterrupted_run()
    {
        string images = _temp.Combine("images");
        foreach (var (path, label) in TestData.CifarSample(TestData.Cifar10Test, perClass: 8))
        {
            Directory.CreateDirectory(Path.Combine(images, label));
            File.Copy(path, Path.Combine(images, label, Path.GetFileName(path)));
        }
        var reference = await CliRunner.RunAsync("index", images, "--collection", _temp.Combine("reference"), "--model", TestData.ModelPath,
            "--labels-from-folders");
        Assert.Equal(0, reference.ExitCode);
        var expected = await SnapshotAsync(_temp.Combine("reference"));
        Assert.Equal(80, expected.Count);

        string collection = _temp.Combine("killed");
        int insideCommit = 0, interrupted = 0;
        var seen = new List<int>();
        for (int kill = 0; kill < Kills; kill++)
        {
            using var process = Process.Start(Index(images, collection))!;
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (kill % 2 == 0)
            {
                // At a time: while starting, reading the model, extracting or committing.
                await Task.Delay(TimeSpan.FromMilliseconds(700 + (kill % 4 * 400)));
            }
            else
            {
                // Inside a commit: as soon as new vectors are appended (the metadata transaction comes after them).
                await WaitForCommitAsync(collection, process, TimeSpan.FromSeconds(20));
            }
            if (!process.HasExited)
            {
                process.Kill();
                interrupted++;
            }
            await process.WaitForExitAsync();
            if (UnfinishedCommit(collection)) insideCommit++;
            if (!EmbeddedCollection.Exists(collection))
            {
                seen.Add(0);
                continue;
            }
            var state = await SnapshotAsync(collection);
            seen.Add(state.Count);
            foreach (var (sha, image) in state)
            {
                Assert.True(expected.TryGetValue(sha, out var want), $"kill {kill}: an image that no uninterrupted run has");
                Assert.Equal((want.Path, want.Label), (image.Path, image.Label));
                Assert.Equal(want.Features, image.Features, (a, b) => Math.Abs(a - b) < 1e-4f);
            }
        }
        output.WriteLine($"{interrupted} of {Kills} runs killed; images committed after each: {string.Join(", ", seen)}; {insideCommit} kills left a commit unfinished");
        Assert.True(interrupted >= 10, $"only {interrupted} runs were still working when killed");
        Assert.True(insideCommit >= 1, "at least one kill landed inside a commit");

        // A SIGKILL that lands while an image is being decoded cannot be told from a decoder crash, so the
        // decode journal rightly blames that file. Those hints are cleared here: what is compared is
        // whether any committed image was lost or damaged.
        foreach (string marker in Directory.Exists(Path.Combine(collection, "decoding")) ? Directory.GetFiles(Path.Combine(collection, "decoding")) : [])
            File.Delete(marker);
        File.Delete(Path.Combine(collection, "crashed-files.json"));
        var last = await CliRunner.RunAsync("index", images, "--collection", collection, "--model", TestData.ModelPath, "--labels-from-folders");
        Assert.Equal(0, last.ExitCode);
        var final = await SnapshotAsync(collection);
        Assert.Equal(expected.Keys.Order(), final.Keys.Order());
        foreach (var (sha, image) in final)
        {
            Assert.Equal((expected[sha].Path, expected[sha].Label), (image.Path, image.Label));
            Assert.Equal(expected[sha].Features, image.Features, (a, b) => Math.Abs(a - b) < 1e-4f);
        }
        Assert.Contains("0 skipped", last.Output);
    }

    private sealed record Stored(string Path, string? Label, float[] Features);

    private static async Task<Dictionary<string, Stored>> SnapshotAsync(string folder)
    {
        await using var store = EmbeddedCollection.OpenReadOnly(folder);
        var (images, vectors) = store.ReadAll();
        int d = store.Info.Model.Dimension;
        var byHash = new Dictionary<string, Stored>(StringComparer.Ordinal);
        for (int i = 0; i < images.Count; i++)
            Assert.True(byHash.TryAdd(images[i].Sha256, new Stored(images[i].Path, images[i].Label, vectors.AsSpan(i * d, d).ToArray())),
                "an image stored twice");
        return byHash;
    }

    /// <summary>Waits until the vectors file grows past what is committed (a commit under way), or the process ends.</summary>
    private static async Task WaitForCommitAsync(string collection, Process process, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        long initial = Length(Path.Combine(collection, "vectors.f32"));
        while (!process.HasExited && clock.Elapsed < limit)
        {
            if (Length(Path.Combine(collection, "vectors.f32")) > initial || Directory.Exists(collection)
                && Directory.EnumerateFiles(collection, "*.tmp").Any()) return;
            await Task.Delay(1);
        }
    }

    /// <summary>Whether the kill left traces of a commit that never finished (they are cleaned at the next open).</summary>
    private static bool UnfinishedCommit(string collection)
    {
        if (!Directory.Exists(collection)) return false;
        if (Directory.EnumerateFiles(collection, "*.tmp").Any()) return true;
        string manifest = Path.Combine(collection, "manifest.json");
        if (!File.Exists(manifest)) return Length(Path.Combine(collection, "vectors.f32")) > 0;
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(manifest));
        int d = json.RootElement.GetProperty("model").GetProperty("dimension").GetInt32();
        // The committed row count is in the metadata database (the commit point).
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection(
            $"Data Source={Path.Combine(collection, "metadata.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM state WHERE key = 'rows'";
        long rows = Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        return Length(Path.Combine(collection, "vectors.f32")) > rows * d * sizeof(float);
    }

    private static long Length(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    public void Dispose() => _temp.Dispose();
}
