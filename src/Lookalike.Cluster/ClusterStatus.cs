using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Lookalike.Cluster;

/// <summary>A silo of the cluster as membership lists it.</summary>
/// <param name="Address">Its address (ip:port@generation).</param>
/// <param name="Name">Its name.</param>
/// <param name="Status">Its membership status (Active, ShuttingDown, Dead, …).</param>
public sealed record SiloRow(string Address, string Name, string Status);

/// <summary>What <c>lookalike cluster status</c> shows.</summary>
/// <param name="Silos">Active silos.</param>
/// <param name="Shards">Every shard: where it runs, its rows, indexes and memory.</param>
public sealed record ClusterReport(IReadOnlyList<SiloRow> Silos, IReadOnlyList<ShardStatus> Shards);

/// <summary>Asks a running cluster, as a client through its gateways, which silos are up and what each shard holds.</summary>
public static class ClusterStatus
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Connects, reads and disconnects.</summary>
    /// <exception cref="Errors.LookalikeException">when no silo of the cluster runs or answers.</exception>
    public static async Task<ClusterReport> ReadAsync(string location, CancellationToken cancellationToken = default)
    {
        using (var tables = new ClusterTables(location))
        {
            var state = await tables.ReadStateAsync(ClusterHosting.ClusterIdOf(location));
            if (state is not { ActiveSilos: > 0 })
                throw new Errors.LookalikeException($"No silo of the cluster of '{Storage.Postgres.PostgresLocation.Parse(location)}' is running. Start one with lookalike serve --cluster LOCATION.");
            return await ReadRunningAsync(location, state.Value.Shards, cancellationToken);
        }
    }

    private static async Task<ClusterReport> ReadRunningAsync(string location, int shards, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client => client.UseLookalikeCluster(new ShardingOptions { Location = location, Shards = shards }));
        using var host = builder.Build();
        using var connecting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connecting.CancelAfter(ConnectTimeout);
        try
        {
            await host.StartAsync(connecting.Token);
        }
        catch (Exception e) when (e is OrleansException or InvalidOperationException or TimeoutException or System.Net.Sockets.SocketException
            or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new Errors.LookalikeException($"No silo of the cluster of '{location}' answers ({e.Message}). Start one with lookalike serve --cluster LOCATION.", e);
        }
        var grains = host.Services.GetRequiredService<IGrainFactory>();
        var hosts = await grains.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: true);
        var silos = hosts.Select(h => new SiloRow(h.SiloAddress.ToString(), h.SiloName, h.Status.ToString())).OrderBy(s => s.Address).ToList();
        var statuses = await Task.WhenAll(Enumerable.Range(0, shards).Select(s => grains.GetGrain<IShardGrain>(s).StatusAsync()));
        await host.StopAsync(cancellationToken);
        return new ClusterReport(silos, statuses);
    }

    /// <summary>The shard count recorded for the collection at <paramref name="location"/> (recording <paramref name="wanted"/>, or 8, when none is).</summary>
    /// <exception cref="Errors.LookalikeException">when <paramref name="wanted"/> differs from the recorded count.</exception>
    public static async Task<int> AgreeOnShardsAsync(string location, int? wanted)
    {
        using var tables = new ClusterTables(location);
        return await tables.AgreeOnShardsAsync(wanted);
    }
}
