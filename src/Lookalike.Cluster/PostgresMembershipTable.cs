using System.Globalization;
using Lookalike.Storage.Postgres;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Serialization;

namespace Lookalike.Cluster;

/// <summary>
/// Orleans' membership table in the collection's own PostgreSQL schema, so that silos find each other
/// where the collection lives: one row per silo (its entry in Orleans' binary form, an etag, its status
/// and last I-am-alive time) and one version row per cluster. Inserts and updates are conditional on
/// the etags Orleans read, in one transaction with the version bump, as the membership protocol needs.
/// </summary>
internal sealed class PostgresMembershipTable(IOptions<ShardingOptions> sharding, IOptions<ClusterOptions> cluster, Serializer serializer)
    : IMembershipTable, IDisposable
{
    private readonly ClusterTables _tables = new(sharding.Value.Location);
    private string ClusterId => cluster.Value.ClusterId;

    public async Task InitializeMembershipTable(bool tryInitTableVersion)
    {
        await _tables.EnsureAsync();
        if (!tryInitTableVersion) return;
        await _tables.ExecuteAsync($"INSERT INTO {_tables.Versions} (cluster_id, version, etag) VALUES (@cluster, 0, 0) ON CONFLICT DO NOTHING",
            ("cluster", ClusterId));
    }

    public async Task DeleteMembershipTableEntries(string clusterId)
    {
        await _tables.ExecuteAsync($"DELETE FROM {_tables.Silos} WHERE cluster_id = @cluster", ("cluster", clusterId));
        await _tables.ExecuteAsync($"DELETE FROM {_tables.Versions} WHERE cluster_id = @cluster", ("cluster", clusterId));
    }

    public Task CleanupDefunctSiloEntries(DateTimeOffset beforeDate) => _tables.ExecuteAsync(
        $"DELETE FROM {_tables.Silos} WHERE cluster_id = @cluster AND i_am_alive < @before AND status <> @active",
        ("cluster", ClusterId), ("before", beforeDate.UtcDateTime), ("active", (int)SiloStatus.Active));

    public Task<MembershipTableData> ReadRow(SiloAddress key) => ReadAsync(key);

    public Task<MembershipTableData> ReadAll() => ReadAsync(null);

    private async Task<MembershipTableData> ReadAsync(SiloAddress? only)
    {
        await using var connection = await _tables.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
        var version = new TableVersion(0, "0");
        await using (var command = new NpgsqlCommand($"SELECT version, etag FROM {_tables.Versions} WHERE cluster_id = @cluster", connection))
        {
            command.Parameters.AddWithValue("cluster", ClusterId);
            await using var reader = await command.ExecuteReaderAsync();
            if (await reader.ReadAsync()) version = new TableVersion(reader.GetInt32(0), reader.GetInt32(1).ToString(CultureInfo.InvariantCulture));
        }
        var members = new List<Tuple<MembershipEntry, string>>();
        await using (var command = new NpgsqlCommand(
            $"SELECT entry, etag, i_am_alive FROM {_tables.Silos} WHERE cluster_id = @cluster" + (only is null ? "" : " AND silo = @silo"), connection))
        {
            command.Parameters.AddWithValue("cluster", ClusterId);
            if (only is not null) command.Parameters.AddWithValue("silo", only.ToParsableString());
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var entry = serializer.Deserialize<MembershipEntry>((byte[])reader[0]) ?? throw new InvalidDataException("A membership entry cannot be read.");
                entry.IAmAliveTime = DateTime.SpecifyKind(reader.GetDateTime(2), DateTimeKind.Utc);
                members.Add(Tuple.Create(entry, reader.GetInt32(1).ToString(CultureInfo.InvariantCulture)));
            }
        }
        await transaction.CommitAsync();
        return new MembershipTableData(members, version);
    }

    public async Task<bool> InsertRow(MembershipEntry entry, TableVersion tableVersion)
    {
        await using var connection = await _tables.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        if (!await BumpVersionAsync(connection, tableVersion)) return false;
        await using var insert = new NpgsqlCommand($"""
            INSERT INTO {_tables.Silos} (cluster_id, silo, entry, etag, status, i_am_alive)
            VALUES (@cluster, @silo, @entry, 0, @status, @alive) ON CONFLICT DO NOTHING
            """, connection);
        AddEntry(insert, entry);
        if (await insert.ExecuteNonQueryAsync() == 0) return false;
        await transaction.CommitAsync();
        return true;
    }

    public async Task<bool> UpdateRow(MembershipEntry entry, string etag, TableVersion tableVersion)
    {
        await using var connection = await _tables.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        if (!await BumpVersionAsync(connection, tableVersion)) return false;
        await using var update = new NpgsqlCommand($"""
            UPDATE {_tables.Silos} SET entry = @entry, etag = etag + 1, status = @status, i_am_alive = @alive
            WHERE cluster_id = @cluster AND silo = @silo AND etag = @etag
            """, connection);
        AddEntry(update, entry);
        update.Parameters.AddWithValue("etag", int.Parse(etag, CultureInfo.InvariantCulture));
        if (await update.ExecuteNonQueryAsync() == 0) return false;
        await transaction.CommitAsync();
        return true;
    }

    public Task UpdateIAmAlive(MembershipEntry entry) => _tables.ExecuteAsync(
        $"UPDATE {_tables.Silos} SET i_am_alive = @alive WHERE cluster_id = @cluster AND silo = @silo",
        ("alive", entry.IAmAliveTime.ToUniversalTime()), ("cluster", ClusterId), ("silo", entry.SiloAddress.ToParsableString()));

    /// <summary>Moves the version to <paramref name="next"/> when its etag is still the one read; false when another silo moved it first.</summary>
    private async Task<bool> BumpVersionAsync(NpgsqlConnection connection, TableVersion next)
    {
        await using var command = new NpgsqlCommand(
            $"UPDATE {_tables.Versions} SET version = @version, etag = etag + 1 WHERE cluster_id = @cluster AND etag = @etag", connection);
        command.Parameters.AddWithValue("version", next.Version);
        command.Parameters.AddWithValue("cluster", ClusterId);
        command.Parameters.AddWithValue("etag", int.Parse(next.VersionEtag, CultureInfo.InvariantCulture));
        return await command.ExecuteNonQueryAsync() == 1;
    }

    private void AddEntry(NpgsqlCommand command, MembershipEntry entry)
    {
        command.Parameters.AddWithValue("cluster", ClusterId);
        command.Parameters.AddWithValue("silo", entry.SiloAddress.ToParsableString());
        command.Parameters.AddWithValue("entry", serializer.SerializeToArray(entry));
        command.Parameters.AddWithValue("status", (int)entry.Status);
        command.Parameters.AddWithValue("alive", entry.IAmAliveTime.ToUniversalTime());
    }

    public void Dispose() => _tables.Dispose();
}
