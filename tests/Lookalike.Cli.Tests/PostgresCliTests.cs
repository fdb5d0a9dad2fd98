using System.Diagnostics;
using System.Text.Json;
using Lookalike.Tests.Common;

namespace Lookalike.Cli.Tests;

/// <summary>The verbs on a PostgreSQL location: migrate a folder into it, then info, search, index and eval there.</summary>
public sealed class PostgresCliTests(IndexedCifarFixture cifar) : IClassFixture<IndexedCifarFixture>, IDisposable
{
    private static int _next;
    private readonly TempDirectory _temp = new();

    private static string NewLocation() => TemporaryPostgres.Shared.Location($"cli_{Environment.ProcessId}_{Interlocked.Increment(ref _next)}");

    private static async Task<List<string>> TopPathsAsync(string query, string collection, string? index = null)
    {
        string[] args = ["search", query, "--collection", collection, "-k", "10", "--json"];
        var result = await CliRunner.RunAsync(index is null ? args : [.. args, "--index", index]);
        Assert.True(result.ExitCode == 0, result.Error);
        using var json = JsonDocument.Parse(result.Output);
        return [.. json.RootElement.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("path").GetString()!)];
    }

    [PostgresFact(WithSharedData = true)]
    public async Task A_folder_migrated_into_postgres_answers_searches_like_the_folder_and_a_second_run_copies_nothing()
    {
        string location = NewLocation();
        var migrated = await CliRunner.RunAsync("migrate", "--from", cifar.Collection, "--to", location, "--commit-every", "128");
        Assert.True(migrated.ExitCode == 0, migrated.Error);
        Assert.Contains("Copied 500 image(s)", migrated.Output);

        var info = await CliRunner.RunAsync("info", "--collection", location, "--json");
        Assert.True(info.ExitCode == 0, info.Error);
        using (var json = JsonDocument.Parse(info.Output))
        {
            Assert.Equal(500, json.RootElement.GetProperty("images").GetInt64());
            Assert.Contains(json.RootElement.GetProperty("indexes").EnumerateArray(), i => i.GetProperty("spec").GetString() == IndexedCifarFixture.IvfSpec);
        }
        foreach (string query in new[] { Path.Combine(cifar.Images, "horse", "0007.jpg"), TestData.Photo("chelsea.png") })
        {
            Assert.Equal(await TopPathsAsync(query, cifar.Collection), await TopPathsAsync(query, location));
            Assert.Equal(await TopPathsAsync(query, cifar.Collection, IndexedCifarFixture.IvfSpec),
                await TopPathsAsync(query, location, IndexedCifarFixture.IvfSpec));
        }

        var again = await CliRunner.RunAsync("migrate", "--from", cifar.Collection, "--to", location);
        Assert.True(again.ExitCode == 0, again.Error);
        Assert.Contains("Copied 0 image(s)", again.Output);
        Assert.Contains("500 already there", again.Output);

        // Indexing the same folder into it finds every file recorded by the migration: nothing to extract.
        var index = await CliRunner.RunAsync("index", cifar.Images, "--collection", location, "--model", TestData.ModelPath, "--labels-from-folders");
        Assert.True(index.ExitCode == 0, index.Error);
        Assert.Contains("Indexed 0 new image(s) of 500", index.Output);

        var eval = await CliRunner.RunAsync("eval", "--db", location, "--queries", cifar.Collection, "--queries-per-class", "3", "--index", "Flat",
            "--json", _temp.Combine("eval.json"));
        Assert.True(eval.ExitCode == 0, eval.Error);
        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(_temp.Combine("eval.json")));
        Assert.Equal(JsonValueKind.Object, report.RootElement.ValueKind);
    }

    [PostgresFact(WithSharedData = true)]
    public async Task A_killed_index_run_into_postgres_leaves_only_whole_images_and_the_next_run_completes_it()
    {
        string location = NewLocation();
        string images = _temp.Combine("images");
        foreach (var (path, label) in TestData.CifarSample(TestData.Cifar10Test, perClass: 8))
        {
            Directory.CreateDirectory(Path.Combine(images, label));
            File.Copy(path, Path.Combine(images, label, Path.GetFileName(path)));
        }
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in new[]
        {
            "exec", Path.Combine(AppContext.BaseDirectory, "lookalike.dll"), "index", images, "--collection", location,
            "--model", TestData.ModelPath, "--labels-from-folders", "--commit-every", "3",
        })
        {
            start.ArgumentList.Add(argument);
        }
        using (var process = Process.Start(start)!)
        {
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            // Killed once some commits are in (every 3 images), most likely while extracting or committing the next.
            var store = new Storage.Postgres.PostgresCollectionProvider(Indexes.IndexRegistry.Builtin);
            var clock = Stopwatch.StartNew();
            while (!process.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                if (store.ReadModel(location) is not null)
                {
                    await using var reading = await store.OpenAsync(location, Collections.CollectionAccess.Read);
                    if (reading.Count >= 7) break;
                }
                await Task.Delay(100);
            }
            if (!process.HasExited) process.Kill();
            await process.WaitForExitAsync();
        }
        var partial = await CliRunner.RunAsync("info", "--collection", location, "--json");
        long before = partial.ExitCode == 0 ? JsonDocument.Parse(partial.Output).RootElement.GetProperty("images").GetInt64() : 0;
        Assert.InRange(before, 7, 79);

        var rest = await CliRunner.RunAsync("index", images, "--collection", location, "--model", TestData.ModelPath, "--labels-from-folders");
        Assert.True(rest.ExitCode == 0, rest.Error);
        // A commit whose COMMIT reached the server before the kill may become visible only after the count above: the next
        // run then finds that one batch (at most 3 images) done as well, never fewer than were counted, and no half image.
        // A kill that lands while a file is being decoded looks to the decode journal like that file crashing the decoder:
        // the next run names it and skips it (until it changes), so at most one image may be left out, and only that way.
        var indexed = System.Text.RegularExpressions.Regex.Match(rest.Output, @"Indexed (\d+) new image\(s\) of 80 .* (\d+) skipped as unreadable");
        Assert.True(indexed.Success, rest.Output);
        long added = long.Parse(indexed.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        long blamed = long.Parse(indexed.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(blamed, 0, 1);
        Assert.InRange(80 - blamed - added, before, before + 3);
        var info = await CliRunner.RunAsync("info", "--collection", location, "--json");
        Assert.Equal(80 - blamed, JsonDocument.Parse(info.Output).RootElement.GetProperty("images").GetInt64());
    }

    [PostgresFact]
    public async Task A_location_with_no_collection_or_no_server_is_one_clear_line()
    {
        var missing = await CliRunner.RunAsync("info", "--collection", NewLocation());
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("There is no collection", missing.Error);
        var unreachable = await CliRunner.RunAsync("info", "--collection", "postgres://me@127.0.0.1:1/db?collection=x");
        Assert.Equal(1, unreachable.ExitCode);
        Assert.Contains("Cannot reach PostgreSQL", unreachable.Error);
        Assert.DoesNotContain("   at ", unreachable.Error);
        var noCluster = await CliRunner.RunAsync("cluster", "status", "--cluster", NewLocation());
        Assert.Equal(1, noCluster.ExitCode);
        Assert.Contains("No silo of the cluster", noCluster.Error);
        var folder = await CliRunner.RunAsync("serve", "--cluster", _temp.Combine("folder"));
        Assert.Equal(1, folder.ExitCode);
        Assert.Contains("--cluster needs a PostgreSQL collection", folder.Error);
    }

    public void Dispose() => _temp.Dispose();
}
