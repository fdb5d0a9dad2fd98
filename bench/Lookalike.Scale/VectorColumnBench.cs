using System.Diagnostics;
using System.Runtime.InteropServices;
using Npgsql;
using NpgsqlTypes;

namespace Lookalike.Scale;

/// <summary>A form of the vector column: binary COPY time and table size.</summary>
internal sealed record ColumnRow(string Column, double CopyRowsPerSecond, long Bytes);

/// <summary>bytea of float32 against real[]: the same rows copied into a table of each form.</summary>
internal static class VectorColumnBench
{
    public static async Task<IReadOnlyList<ColumnRow>> RunAsync(string connectionString, BenchData data)
    {
        await using var source = NpgsqlDataSource.Create(connectionString);
        await using var connection = await source.OpenConnectionAsync();
        var rows = new List<ColumnRow>();
        foreach (var (column, type) in new[] { ("bytea", "bytea"), ("real[]", "real[]") })
        {
            string table = column == "bytea" ? "bench_vectors_bytea" : "bench_vectors_real";
            await Execute(connection, $"DROP TABLE IF EXISTS {table}; CREATE TABLE {table} (id bigint PRIMARY KEY, data {type} NOT NULL);" +
                (type == "bytea" ? $" ALTER TABLE {table} ALTER COLUMN data SET STORAGE EXTERNAL;" : ""));
            var clock = Stopwatch.StartNew();
            await using (var copy = await connection.BeginBinaryImportAsync($"COPY {table} (id, data) FROM STDIN (FORMAT BINARY)"))
            {
                for (int i = 0; i < data.Images.Count; i++)
                {
                    await copy.StartRowAsync();
                    await copy.WriteAsync((long)i, NpgsqlDbType.Bigint);
                    if (type == "bytea") await copy.WriteAsync(MemoryMarshal.AsBytes(data.Images[i].Features.AsSpan()).ToArray(), NpgsqlDbType.Bytea);
                    else await copy.WriteAsync(data.Images[i].Features, NpgsqlDbType.Array | NpgsqlDbType.Real);
                }
                await copy.CompleteAsync();
            }
            double perSecond = data.Images.Count / clock.Elapsed.TotalSeconds;
            await using var size = new NpgsqlCommand($"SELECT pg_total_relation_size('{table}')", connection);
            rows.Add(new ColumnRow(column, perSecond, (long)(await size.ExecuteScalarAsync())!));
            await Execute(connection, $"DROP TABLE {table}");
        }
        return rows;
    }

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
