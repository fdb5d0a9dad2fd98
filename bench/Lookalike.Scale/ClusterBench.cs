using Lookalike.Cluster;
using Lookalike.Collections;
using Lookalike.Indexes;
using Lookalike.Storage.Postgres;
using Orleans.TestingHost;

namespace Lookalike.Scale;

/// <summary>One setup's search numbers.</summary>
internal sealed record ClusterRow(string Setup, string Index, double Qps, double P50Ms, double P99Ms, int SameTop10, int Queries);

/// <summary>The same queries against one node (the PostgreSQL store, every vector in one process) and a three-silo cluster of six shards.</summary>
internal static class ClusterBench
{
    private static ShardingOptions _options = new();

    private sealed class Silo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo) => silo.AddLookalikeShards(_options);
    }

    public static async Task<IReadOnlyList<ClusterRow>> RunAsync(string location, BenchData data, int shards, int concurrency)
    {
        var store = new PostgresCollectionProvider(IndexRegistry.Builtin);
        _options = new ShardingOptions { Location = location, Shards = shards, ShardTimeout = TimeSpan.FromMinutes(5) };
        var builder = new TestClusterBuilder(3);
        builder.Options.ConfigureFileLogging = false; // no logs/ folder left behind
        builder.AddSiloBuilderConfigurator<Silo>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        var rows = new List<ClusterRow>();
        try
        {
            await using var single = await store.OpenAsync(location, CollectionAccess.Read);
            await using var sharded = new ShardedCollection(await store.OpenViewAsync(location, PostgresView.RecordsOnly), cluster.Client, _options);
            foreach (string spec in new[] { "Flat", HnswOptions.DefaultSpec })
            {
                // Built (single node) and activated and built (shards) before timing.
                await single.SearchAsync(data.Queries[0], new SearchOptions(10, IndexSpec: spec));
                await sharded.SearchAsync(data.Queries[0], new SearchOptions(10, IndexSpec: spec));
                var truth = new List<long>[data.Queries.Length];
                for (int q = 0; q < truth.Length; q++)
                    truth[q] = [.. (await single.SearchAsync(data.Queries[q], new SearchOptions(10, IndexSpec: "Flat"))).Hits.Select(h => h.Image.Id)];
                foreach (var (setup, collection) in new (string, ImageCollection)[] { ("one node", single), ($"3 silos, {shards} shards", sharded) })
                {
                    int same = 0;
                    for (int q = 0; q < truth.Length; q++)
                    {
                        var top = (await collection.SearchAsync(data.Queries[q], new SearchOptions(10, IndexSpec: spec))).Hits.Select(h => h.Image.Id);
                        if (top.SequenceEqual(truth[q])) same++;
                    }
                    var timing = await StoreBench.SearchAsync(collection, data, spec, concurrency);
                    rows.Add(new ClusterRow(setup, spec, timing.PerSecond, timing.P50Ms, timing.P99Ms, same, truth.Length));
                }
            }
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
        return rows;
    }
}
