using System.CommandLine;
using System.Net;
using Lookalike.Cluster;

namespace Lookalike.Cli.Commands;

/// <summary>The options of a cluster's silos and clients: the collection, its shard count, and a silo's endpoints.</summary>
internal sealed class ClusterOptions
{
    private ClusterOptions() { }

    public Option<string?> Location { get; } = new("--cluster")
    {
        Description = "Run as a silo of the sharded cluster of this PostgreSQL collection (postgres://user@host:port/db?collection=NAME); membership is kept there too.",
    };

    public Option<int?> Shards { get; } = new("--shards")
    {
        Description = "Shards the collection is split into (recorded by the first silo; default 8, or what is recorded).",
    };

    public Option<string> Address { get; } = new("--silo-address")
    {
        Description = "Address other silos reach this one at.",
        DefaultValueFactory = _ => "127.0.0.1",
    };

    public Option<int> SiloPort { get; } = new("--silo-port") { Description = "Port for silo-to-silo traffic.", DefaultValueFactory = _ => 11111 };

    public Option<int> GatewayPort { get; } = new("--gateway-port") { Description = "Port for clients (lookalike cluster status).", DefaultValueFactory = _ => 30000 };

    public static ClusterOptions Create()
    {
        var options = new ClusterOptions();
        options.Shards.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is < 1 or > 4096) r.AddError("--shards must be between 1 and 4096."); });
        return options;
    }

    /// <summary>The sharding settings (the shard count agreed with the collection) and this silo's endpoints.</summary>
    /// <exception cref="Errors.LookalikeException">for an address that does not parse or a shard count other than the recorded one.</exception>
    public async Task<(ShardingOptions Options, SiloEndpoints Endpoints)?> ReadAsync(ParseResult parse)
    {
        if (parse.GetValue(Location) is not { } location) return null;
        if (!Storage.Postgres.PostgresLocation.IsPostgres(location))
            throw new Errors.LookalikeException($"--cluster needs a PostgreSQL collection (postgres://user@host:port/db?collection=NAME), not '{location}'.");
        if (!IPAddress.TryParse(parse.GetValue(Address), out var address))
            throw new Errors.LookalikeException($"--silo-address '{parse.GetValue(Address)}' is not an IP address.");
        int shards = await ClusterStatus.AgreeOnShardsAsync(location, parse.GetValue(Shards));
        return (new ShardingOptions { Location = location, Shards = shards }, new SiloEndpoints(address, parse.GetValue(SiloPort), parse.GetValue(GatewayPort)));
    }
}
