using System.Diagnostics;
using Lookalike.Collections;
using Lookalike.Indexes;
using Lookalike.Storage.Postgres;
using Lookalike.Tests.Common;
using Orleans.Configuration;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace Lookalike.Cluster.Tests;

/// <summary>
/// Three silos in this process (Orleans' TestingHost) over a real PostgreSQL collection split into six
/// shards: the sharded answers equal the single-node ones, and a silo killed mid-stream costs some
/// failed queries, no images.
/// </summary>
public sealed class ShardedSearchTests(ITestOutputHelper output)
{
    private const int D = 24, N = 3000, Shards = 6, Queries = 200;
    private static readonly ModelReference Model = new("cluster-model", new string('b', 64), "/models/c.onnx", D, "none");

    /// <summary>What the silos of the test cluster serve (TestingHost builds configurators by type).</summary>
    private static ShardingOptions _options = new();

    private sealed class SiloSettings : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            silo.AddLookalikeShards(_options);
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(2);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
            });
        }
    }

    private static bool Balanced(ShardStatus[] statuses) =>
        statuses.GroupBy(s => s.Silo).Count() == 3 && statuses.GroupBy(s => s.Silo).All(g => g.Count() == Shards / 3);

    [PostgresFact]
    public async Task Three_silos_answer_like_one_node_and_a_killed_silo_loses_nothing()
    {
        string location = TemporaryPostgres.Shared.Location($"cluster_{Environment.ProcessId}");
        float[] data = RandomVectors.Gaussian(N, D, seed: 8);
        var store = new PostgresCollectionProvider(IndexRegistry.Builtin);
        await using var single = await store.OpenAsync(location, CollectionAccess.WriteOrCreate, new NewCollection(Model, DistanceMetric.L2, "Flat"));
        for (int i = 0; i < N; i++) await single.AddAsync(new NewImage($"/{i}.jpg", $"{i:x64}", null, 1, 1, 1, data.AsSpan(i * D, D).ToArray()));
        await single.CommitAsync();

        _options = new ShardingOptions { Location = location, Shards = Shards, ShardTimeout = TimeSpan.FromSeconds(3) };
        var builder = new TestClusterBuilder(3);
        builder.Options.ConfigureFileLogging = false; // no logs/ folder left behind
        builder.AddSiloBuilderConfigurator<SiloSettings>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        try
        {
            await using var sharded = new ShardedCollection(
                await store.OpenViewAsync(location, PostgresView.RecordsOnly), cluster.Client, _options);
            float[] queries = RandomVectors.Gaussian(Queries, D, seed: 9);
            async Task<List<long>> TopAsync(ImageCollection collection, int q, string spec = "Flat") =>
                [.. (await collection.SearchAsync(queries.AsSpan(q * D, D).ToArray(), new SearchOptions(10, IndexSpec: spec))).Hits.Select(h => h.Image.Id)];

            // Activated (vectors loaded) before timing starts: a cold start here pays for compiling too.
            await Task.WhenAll(Enumerable.Range(0, Shards).Select(s => cluster.Client.GetGrain<IShardGrain>(s).StatusAsync()));
            var expected = new List<List<long>>();
            for (int q = 0; q < Queries; q++) expected.Add(await TopAsync(single, q));
            for (int q = 0; q < Queries; q++) Assert.Equal(expected[q], await TopAsync(sharded, q));
            // An image filter is applied by the coordinator to each shard's best k × 10, and says so; a thread count is local.
            var byPrefix = new SearchOptions(10, IndexSpec: "Flat") { Filter = new ImageFilter { PathPrefix = "/1" } };
            var filteredSingle = await single.SearchAsync(queries.AsSpan(0, D).ToArray(), byPrefix);
            var filteredSharded = await sharded.SearchAsync(queries.AsSpan(0, D).ToArray(), byPrefix);
            Assert.Equal(filteredSingle.Hits.Select(h => h.Image.Id), filteredSharded.Hits.Select(h => h.Image.Id));
            Assert.All(filteredSharded.Hits, h => Assert.StartsWith("/1", h.Image.Path, StringComparison.Ordinal));
            Assert.Contains("each shard's best 100", filteredSharded.FilterLimit);
            var oneThread = await sharded.SearchAsync(queries.AsSpan(0, D).ToArray(),
                new SearchOptions(10, IndexSpec: "Flat", Parameters: new SearchParameters { Threads = 1 }));
            Assert.Equal(expected[0], oneThread.Hits.Select(h => h.Image.Id));
            var stats = (await sharded.SearchAsync(queries.AsSpan(0, D).ToArray(), new SearchOptions(10, IndexSpec: "Flat"))).Stats;
            Assert.Equal(N, stats.DistancesComputed);
            // The shards spread over the three silos (two each) once membership has settled.
            ShardStatus[] statuses;
            var spreading = Stopwatch.StartNew();
            do
            {
                await Task.Delay(250);
                statuses = await Task.WhenAll(Enumerable.Range(0, Shards).Select(s => cluster.Client.GetGrain<IShardGrain>(s).StatusAsync()));
            }
            while (!Balanced(statuses) && spreading.Elapsed < TimeSpan.FromSeconds(60));
            output.WriteLine($"spread over {statuses.Select(s => s.Silo).Distinct().Count()} silos after {spreading.Elapsed.TotalSeconds:F1} s");
            Assert.Equal(N, statuses.Sum(s => s.Rows));
            Assert.All(statuses, s => Assert.InRange(s.Rows, N / Shards / 2, N / Shards * 2));
            Assert.All(statuses.GroupBy(s => s.Silo), g => Assert.Equal(Shards / 3, g.Count()));
            for (int q = 0; q < Queries; q++) Assert.Equal(expected[q], await TopAsync(sharded, q));

            // HNSW shards find (nearly) what the exact scan finds.
            int found = 0;
            for (int q = 0; q < 50; q++) found += (await TopAsync(sharded, q, HnswOptions.DefaultSpec)).Intersect(expected[q]).Count();
            Assert.True(found >= 0.95 * 500, $"recall {found / 500.0:F3}");

            // Kill a silo that holds shards while queries go on.
            var victim = cluster.SecondarySilos.First(s => statuses.Any(st => st.Silo == s.SiloAddress.ToString()));
            int failed = 0, answered = 0;
            var clock = Stopwatch.StartNew();
            await cluster.KillSiloAsync(victim);
            TimeSpan? recovered = null;
            while (clock.Elapsed < TimeSpan.FromSeconds(90))
            {
                int q = (answered + failed) % Queries;
                try
                {
                    var top = await TopAsync(sharded, q);
                    answered++;
                    Assert.Equal(expected[q], top);
                    recovered ??= clock.Elapsed;
                    if (answered >= 50) break;
                }
                catch (ShardUnavailableException)
                {
                    failed++;
                    recovered = null;
                }
            }
            output.WriteLine($"after the kill: {failed} failed, {answered} answered; answering again {recovered?.TotalSeconds:F1} s after it");
            Assert.NotNull(recovered);
            for (int q = 0; q < Queries; q++) Assert.Equal(expected[q], await TopAsync(sharded, q));
            var after = await Task.WhenAll(Enumerable.Range(0, Shards).Select(s => cluster.Client.GetGrain<IShardGrain>(s).StatusAsync()));
            Assert.Equal(N, after.Sum(s => s.Rows));
            Assert.DoesNotContain(after, s => s.Silo == victim.SiloAddress.ToString());

            // Images added later (through any writer) reach their shards.
            var (id, _) = await single.AddAsync(new NewImage("/late.jpg", new string('9', 64), null, 1, 1, 1, queries.AsSpan(0, D).ToArray()));
            await single.CommitAsync();
            var wait = Stopwatch.StartNew();
            long first = -1;
            while (wait.Elapsed < TimeSpan.FromSeconds(10) && first != id)
            {
                await Task.Delay(100);
                sharded.Refresh();
                first = (await TopAsync(sharded, 0))[0];
            }
            Assert.Equal(id, first);
            output.WriteLine($"a new image was found through the shards {wait.Elapsed.TotalMilliseconds:F0} ms after its commit");
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }
}
