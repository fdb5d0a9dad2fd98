using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Lookalike.Collections;
using Lookalike.Indexes;
using Lookalike.Storage.Postgres;
using Lookalike.Tests.Common;
using Xunit.Abstractions;

namespace Lookalike.Cli.Tests;

/// <summary>
/// Three <c>lookalike serve --cluster</c> processes over one PostgreSQL collection (membership in
/// PostgreSQL too): every server answers like a single node; one is killed with SIGKILL and the other
/// two go on, the same answers once its shards are active elsewhere, no image lost.
/// </summary>
public sealed class ClusterProcessTests(IndexedCifarFixture cifar, ITestOutputHelper output) : IClassFixture<IndexedCifarFixture>, IDisposable
{
    private const int Shards = 6, Queries = 200;
    private readonly List<Process> _servers = [];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private readonly List<int> _siloPorts = [];

    private string Start(string location)
    {
        int web = FreePort(), silo = FreePort(), gateway = FreePort();
        _siloPorts.Add(silo);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in new[]
        {
            "exec", Path.Combine(AppContext.BaseDirectory, "lookalike.dll"), "serve", "--cluster", location, "--shards", $"{Shards}",
            "--urls", $"http://127.0.0.1:{web}", "--silo-port", $"{silo}", "--gateway-port", $"{gateway}", "--model", TestData.ModelPath,
            // 200 queries from one address: the per-client limit is not what this test is about.
            "--rate-limit-burst", "0",
        })
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        _servers.Add(process);
        return $"http://127.0.0.1:{web}";
    }

    private async Task WaitUntilHealthyAsync(string server)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(180))
        {
            try
            {
                if ((await _http.GetAsync(server + "/health")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"{server} did not become healthy");
    }

    private async Task<List<long>?> TopAsync(string server, long id)
    {
        using var response = await _http.PostAsync($"{server}/api/search/by-id/{id}?k=10&index=exact", null);
        if (!response.IsSuccessStatusCode) return null;
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return [.. json.RootElement.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("id").GetInt64())];
    }

    [PostgresFact(WithSharedData = true)]
    public async Task Three_server_processes_answer_like_one_node_and_survive_one_killed()
    {
        string location = TemporaryPostgres.Shared.Location($"procs_{Environment.ProcessId}");
        var migrated = await CliRunner.RunAsync("migrate", "--from", cifar.Collection, "--to", location);
        Assert.True(migrated.ExitCode == 0, migrated.Error);

        var expected = new Dictionary<long, List<long>>();
        await using (var single = await new PostgresCollectionProvider(IndexRegistry.Builtin).OpenAsync(location, CollectionAccess.Read))
        {
            foreach (var image in await single.ListAsync().Take(Queries).ToListAsync())
            {
                var response = await single.SearchAsync((await single.GetFeaturesAsync(image.Id))!, new SearchOptions(10, IndexSpec: "Flat"));
                expected[image.Id] = [.. response.Hits.Select(h => h.Image.Id)];
            }
        }

        var clock = Stopwatch.StartNew();
        string[] servers = [Start(location), Start(location), Start(location)];
        foreach (string server in servers) await WaitUntilHealthyAsync(server);
        output.WriteLine($"three servers healthy after {clock.Elapsed.TotalSeconds:F1} s");
        int i = 0;
        foreach (var (id, top) in expected) Assert.Equal(top, await TopAsync(servers[i++ % 3], id));

        // The shards spread over the three silos (two each) once membership settles.
        CliRunner.Result status;
        var spreading = Stopwatch.StartNew();
        do
        {
            status = await CliRunner.RunAsync("cluster", "status", "--cluster", location);
            Assert.True(status.ExitCode == 0, status.Error);
        }
        while (!_siloPorts.All(port => ShardsOn(status.Output, port) == Shards / 3) && spreading.Elapsed < TimeSpan.FromSeconds(60));
        output.WriteLine($"spread after {spreading.Elapsed.TotalSeconds:F1} s:\n{status.Output}");
        Assert.Contains($"3 silo(s), {Shards} shard(s), 500 image(s).", status.Output);
        Assert.All(_siloPorts, port => Assert.Equal(Shards / 3, ShardsOn(status.Output, port)));
        const int victim = 1;
        string[] survivors = [.. servers.Where((_, s) => s != victim)];

        // SIGKILL one server while the others keep answering.
        var ids = expected.Keys.ToList();
        _servers[victim].Kill();
        clock.Restart();
        int failed = 0, answered = 0, streak = 0, asked = 0;
        TimeSpan? recovered = null;
        while (streak < 60 && clock.Elapsed < TimeSpan.FromSeconds(120))
        {
            long id = ids[asked % ids.Count];
            var top = await TopAsync(survivors[asked++ % 2], id);
            if (top is null)
            {
                failed++;
                streak = 0;
                recovered = null;
                continue;
            }
            answered++;
            Assert.Equal(expected[id], top);
            recovered ??= clock.Elapsed;
            streak++;
        }
        output.WriteLine($"after the kill: {failed} failed, {answered} answered; answering without failures from {recovered?.TotalSeconds:F1} s after it");
        Assert.Equal(60, streak);
        i = 0;
        foreach (var (id, top) in expected) Assert.Equal(top, await TopAsync(survivors[i++ % 2], id));
        var after = await CliRunner.RunAsync("cluster", "status", "--cluster", location);
        output.WriteLine(after.Output);
        Assert.Equal(0, ShardsOn(after.Output, _siloPorts[victim]));
        Assert.Equal(Shards, ShardsOn(after.Output, _siloPorts[0]) + ShardsOn(after.Output, _siloPorts[2]));
        Assert.Contains($"2 silo(s), {Shards} shard(s), 500 image(s).", after.Output);
        using var summary = JsonDocument.Parse(await _http.GetStringAsync(survivors[0] + "/api/collection"));
        Assert.Equal(500, summary.RootElement.GetProperty("count").GetInt64());
    }

    /// <summary>Shards <c>cluster status</c> lists on the silo with port <paramref name="port"/>.</summary>
    private static int ShardsOn(string status, int port) =>
        status.Split('\n').Count(line => line.Contains("MiB", StringComparison.Ordinal) && line.Contains($"127.0.0.1:{port}:", StringComparison.Ordinal));

    public void Dispose()
    {
        foreach (var server in _servers)
        {
            if (!server.HasExited) server.Kill();
            server.Dispose();
        }
        _http.Dispose();
    }
}
