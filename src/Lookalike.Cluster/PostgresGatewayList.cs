using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Messaging;
using Orleans.Serialization;

namespace Lookalike.Cluster;

/// <summary>The gateways a client may connect to: the active silos of the membership table, with their gateway ports.</summary>
internal sealed class PostgresGatewayList(IOptions<ShardingOptions> sharding, IOptions<ClusterOptions> cluster, Serializer serializer)
    : IGatewayListProvider, IDisposable
{
    private readonly ClusterTables _tables = new(sharding.Value.Location);

    public TimeSpan MaxStaleness => TimeSpan.FromSeconds(10);

    public bool IsUpdatable => true;

    public Task InitializeGatewayListProvider() => _tables.EnsureAsync();

    public async Task<IList<Uri>> GetGateways()
    {
        await using var connection = await _tables.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT entry FROM {_tables.Silos} WHERE cluster_id = @cluster AND status = @active", connection);
        command.Parameters.AddWithValue("cluster", cluster.Value.ClusterId);
        command.Parameters.AddWithValue("active", (int)SiloStatus.Active);
        await using var reader = await command.ExecuteReaderAsync();
        var gateways = new List<Uri>();
        while (await reader.ReadAsync())
        {
            var entry = serializer.Deserialize<MembershipEntry>((byte[])reader[0]) ?? throw new InvalidDataException("A membership entry cannot be read.");
            if (entry.ProxyPort > 0)
                gateways.Add(SiloAddress.New(entry.SiloAddress.Endpoint.Address, entry.ProxyPort, entry.SiloAddress.Generation).ToGatewayUri());
        }
        return gateways;
    }

    public void Dispose() => _tables.Dispose();
}
