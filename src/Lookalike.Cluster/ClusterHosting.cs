using System.Net;
using Lookalike.Collections;
using Lookalike.Sessions;
using Lookalike.Storage.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Messaging;

namespace Lookalike.Cluster;

/// <summary>Where a silo listens and what it tells the others.</summary>
/// <param name="Address">The address other silos and clients reach it at.</param>
/// <param name="SiloPort">Port for silo-to-silo traffic.</param>
/// <param name="GatewayPort">Port for clients (<c>lookalike cluster status</c>).</param>
public sealed record SiloEndpoints(IPAddress Address, int SiloPort = 11111, int GatewayPort = 30000);

/// <summary>Composition of a cluster: silos that hold the shards, the front end that fans out, clients that look in.</summary>
public static class ClusterHosting
{
    /// <summary>The Orleans cluster id of the collection at <paramref name="location"/>: one cluster per collection.</summary>
    public static string ClusterIdOf(string location) => "lookalike-" + PostgresLocation.Parse(location).Collection;

    /// <summary>The shard grains and what they need (the collection's location, the shard count, the index types).</summary>
    public static ISiloBuilder AddLookalikeShards(this ISiloBuilder silo, ShardingOptions options)
    {
        silo.Services.AddSingleton(Options.Create(options));
        silo.Services.TryAddSingleton(_ => LookalikeServices.CreateDefault().Indexes);
        return silo;
    }

    /// <summary>Membership in the collection's PostgreSQL schema, quick failure detection, and the silo's endpoints.</summary>
    public static ISiloBuilder UsePostgresMembership(this ISiloBuilder silo, ShardingOptions options, SiloEndpoints endpoints)
    {
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = ClusterIdOf(options.Location);
            o.ServiceId = "lookalike";
        });
        silo.Services.AddSingleton<IMembershipTable, PostgresMembershipTable>();
        // A silo that stops answering is declared dead after two missed probes of two seconds, so its shards move within seconds.
        silo.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = TimeSpan.FromSeconds(2);
            o.NumMissedProbesLimit = 2;
            o.NumVotesForDeathDeclaration = 1;
            o.TableRefreshTimeout = TimeSpan.FromSeconds(2);
        });
        silo.ConfigureEndpoints(endpoints.Address, endpoints.SiloPort, endpoints.GatewayPort, listenOnAnyHostAddress: false);
        return silo;
    }

    /// <summary>A client of the collection's cluster, finding gateways in its membership table.</summary>
    public static IClientBuilder UseLookalikeCluster(this IClientBuilder client, ShardingOptions options)
    {
        client.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = ClusterIdOf(options.Location);
            o.ServiceId = "lookalike";
        });
        client.Services.AddSingleton(Options.Create(options));
        client.Services.AddSingleton<IGatewayListProvider, PostgresGatewayList>();
        return client;
    }

    /// <summary>
    /// Makes a web host a silo of the collection's cluster whose collection searches go to the shards
    /// (call before adding the search app, whose services it replaces).
    /// </summary>
    public static IHostApplicationBuilder AddLookalikeCluster(this IHostApplicationBuilder builder, ShardingOptions options, SiloEndpoints endpoints)
    {
        builder.UseOrleans(silo => silo.AddLookalikeShards(options).UsePostgresMembership(options, endpoints));
        builder.Services.AddSingleton(provider =>
        {
            var defaults = LookalikeServices.CreateDefault();
            var sharded = new ClusterCollectionProvider(provider.GetRequiredService<IGrainFactory>(), Options.Create(options), defaults.Indexes);
            return defaults with { Collections = new CollectionStores(sharded, defaults.Collections) };
        });
        return builder;
    }
}
