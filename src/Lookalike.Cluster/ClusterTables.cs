using Lookalike.Errors;
using Lookalike.Storage.Postgres;
using Npgsql;

namespace Lookalike.Cluster;

/// <summary>
/// The cluster's tables in the collection's schema: membership (silos, version) and the shard count
/// every silo must agree on. Created on first use, under an advisory lock.
/// </summary>
internal sealed class ClusterTables : IDisposable
{
    private readonly NpgsqlDataSource _data;
    private readonly PostgresLocation _location;

    public ClusterTables(string location)
    {
        _location = PostgresLocation.Parse(location);
        _data = NpgsqlDataSource.Create(_location.ConnectionString);
        string schema = "\"" + _location.Schema + "\"";
        Silos = schema + ".cluster_silos";
        Versions = schema + ".cluster_membership_version";
        Settings = schema + ".cluster_settings";
    }

    public string Silos { get; }

    public string Versions { get; }

    public string Settings { get; }

    public async Task EnsureAsync()
    {
        await using var connection = await OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await Execute(connection, "SELECT pg_advisory_xact_lock(hashtext(@key))", ("key", "lookalike-cluster:" + _location.Schema));
        await Execute(connection, $"""
            CREATE SCHEMA IF NOT EXISTS "{_location.Schema}";
            CREATE TABLE IF NOT EXISTS {Versions} (cluster_id text PRIMARY KEY, version integer NOT NULL, etag integer NOT NULL);
            CREATE TABLE IF NOT EXISTS {Silos} (
                cluster_id text NOT NULL, silo text NOT NULL, entry bytea NOT NULL, etag integer NOT NULL,
                status integer NOT NULL, i_am_alive timestamptz NOT NULL, PRIMARY KEY (cluster_id, silo));
            CREATE TABLE IF NOT EXISTS {Settings} (singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton), shards integer NOT NULL);
            """);
        await transaction.CommitAsync();
    }

    /// <summary>
    /// The collection's shard count: <paramref name="wanted"/> when none is recorded yet (8 when that is null too).
    /// </summary>
    /// <exception cref="LookalikeException">when <paramref name="wanted"/> differs from the recorded count.</exception>
    public async Task<int> AgreeOnShardsAsync(int? wanted)
    {
        await EnsureAsync();
        await ExecuteAsync($"INSERT INTO {Settings} (shards) VALUES (@shards) ON CONFLICT DO NOTHING", ("shards", wanted ?? 8));
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT shards FROM {Settings}", connection);
        int recorded = (int)(await command.ExecuteScalarAsync())!;
        if (wanted is { } asked && asked != recorded)
            throw new LookalikeException($"Collection '{_location}' is split into {recorded} shards; --shards {asked} does not match (leave it out to use {recorded}).");
        return recorded;
    }

    /// <summary>The recorded shard count and how many silos membership lists as active, or null when no silo of this collection ever ran.</summary>
    public async Task<(int Shards, int ActiveSilos)?> ReadStateAsync(string clusterId)
    {
        await using var connection = await OpenAsync();
        await using (var exists = new NpgsqlCommand("SELECT to_regclass(@table) IS NOT NULL", connection))
        {
            exists.Parameters.AddWithValue("table", Settings);
            if (await exists.ExecuteScalarAsync() is not true) return null;
        }
        await using var command = new NpgsqlCommand(
            $"SELECT (SELECT shards FROM {Settings}), (SELECT count(*) FROM {Silos} WHERE cluster_id = @cluster AND status = @active)::integer", connection);
        command.Parameters.AddWithValue("cluster", clusterId);
        command.Parameters.AddWithValue("active", (int)SiloStatus.Active);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return reader.IsDBNull(0) ? null : (reader.GetInt32(0), reader.GetInt32(1));
    }

    public async Task<NpgsqlConnection> OpenAsync()
    {
        try
        {
            return await _data.OpenConnectionAsync();
        }
        catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            throw new StorageException($"Cannot reach PostgreSQL for cluster '{_location}'", e);
        }
    }

    public async Task ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = await OpenAsync();
        await Execute(connection, sql, parameters);
    }

    private static async Task Execute(NpgsqlConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        await command.ExecuteNonQueryAsync();
    }

    public void Dispose() => _data.Dispose();
}
