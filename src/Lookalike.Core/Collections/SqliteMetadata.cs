using Microsoft.Data.Sqlite;

namespace Lookalike.Collections;

/// <summary>
/// <c>metadata.db</c>: the records of an embedded collection in SQLite (WAL journal). One
/// transaction per commit writes what changed — new images, deletions, file states — and the
/// committed row count and generation, so a commit costs what it changes, not the collection's size.
/// The transaction is the commit point: <c>vectors.f32</c> is appended and flushed before it.
/// </summary>
/// <remarks>Not thread-safe: the collection serialises its use under its gate.</remarks>
internal sealed class SqliteMetadata : IDisposable
{
    public const string FileName = "metadata.db";

    private readonly SqliteConnection _connection;

    private SqliteMetadata(SqliteConnection connection) => _connection = connection;

    /// <summary>Opens (and, when <paramref name="writable"/>, creates) the metadata of <paramref name="folder"/>.</summary>
    public static SqliteMetadata Open(string folder, bool writable)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(folder, FileName),
            Mode = writable ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadOnly,
            Pooling = false,
            DefaultTimeout = 30,
        };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            var metadata = new SqliteMetadata(connection);
            if (writable) metadata.CreateSchema();
            return metadata;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Whether <paramref name="folder"/> has a metadata database.</summary>
    public static bool Exists(string folder) => File.Exists(Path.Combine(folder, FileName));

    /// <summary>Removes a metadata database and its journal files (a migration that did not finish).</summary>
    public static void Delete(string folder)
    {
        foreach (string suffix in new[] { "", "-wal", "-shm", "-journal" }) File.Delete(Path.Combine(folder, FileName + suffix));
    }

    private void CreateSchema()
    {
        Execute("PRAGMA journal_mode = WAL;");
        Execute("PRAGMA synchronous = FULL;");
        Execute("""
            CREATE TABLE IF NOT EXISTS images (
                id INTEGER PRIMARY KEY, path TEXT NOT NULL, sha256 TEXT NOT NULL, label TEXT, bytes INTEGER NOT NULL,
                width INTEGER NOT NULL, height INTEGER NOT NULL, added_at INTEGER NOT NULL,
                generation INTEGER NOT NULL, deleted_generation INTEGER);
            CREATE UNIQUE INDEX IF NOT EXISTS images_live_sha256 ON images (sha256) WHERE deleted_generation IS NULL;
            CREATE TABLE IF NOT EXISTS files (
                path TEXT PRIMARY KEY, size INTEGER NOT NULL, last_write_ticks INTEGER NOT NULL, sha256 TEXT NOT NULL,
                generation INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
            INSERT OR IGNORE INTO state (key, value) VALUES ('rows', 0), ('generation', 0);
            """);
    }

    /// <summary>The committed row count, generation and records, read in one transaction (one consistent snapshot).</summary>
    public (long Rows, long Generation, EmbeddedMetadata Metadata) ReadCommitted()
    {
        using var transaction = _connection.BeginTransaction(deferred: true);
        var (rows, generation) = ReadState();
        var metadata = ReadAll(rows);
        transaction.Commit();
        return (rows, generation, metadata);
    }

    /// <summary>The committed row count and generation.</summary>
    public (long Rows, long Generation) ReadState()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT key, value FROM state WHERE key IN ('rows', 'generation');";
        long rows = 0, generation = 0;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            if (reader.GetString(0) == "rows") rows = reader.GetInt64(1);
            else generation = reader.GetInt64(1);
        }
        return (rows, generation);
    }

    /// <summary>Every committed record: images (ids below <paramref name="rows"/>), deleted ids, file states.</summary>
    public EmbeddedMetadata ReadAll(long rows)
    {
        var images = new List<ImageRecord>();
        var deleted = new List<long>();
        using (var command = _connection.CreateCommand())
        {
            command.CommandText = "SELECT id, path, sha256, label, bytes, width, height, added_at, deleted_generation FROM images WHERE id < $rows ORDER BY id;";
            command.Parameters.AddWithValue("$rows", rows);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                long id = reader.GetInt64(0);
                if (id != images.Count) throw new InvalidDataException($"image ids are not contiguous at {id}");
                images.Add(new ImageRecord(id, reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                    reader.GetInt64(4), reader.GetInt32(5), reader.GetInt32(6), new DateTimeOffset(reader.GetInt64(7), TimeSpan.Zero)));
                if (!reader.IsDBNull(8)) deleted.Add(id);
            }
        }
        var files = new Dictionary<string, FileState>(StringComparer.Ordinal);
        using (var command = _connection.CreateCommand())
        {
            command.CommandText = "SELECT path, size, last_write_ticks, sha256 FROM files;";
            using var reader = command.ExecuteReader();
            while (reader.Read()) files[reader.GetString(0)] = new FileState(reader.GetInt64(1), reader.GetInt64(2), reader.GetString(3));
        }
        return new EmbeddedMetadata(images, deleted, files);
    }

    /// <summary>
    /// Writes one commit in one transaction: <paramref name="added"/> images, <paramref name="deleted"/>
    /// ids, changed file states (a null state removes the path), then the new row count and generation.
    /// </summary>
    public void Commit(long generation, long rows, IEnumerable<ImageRecord> added, IEnumerable<long> deleted,
        IEnumerable<KeyValuePair<string, FileState?>> files)
    {
        using var transaction = _connection.BeginTransaction();
        using (var insert = Command(transaction, """
            INSERT INTO images (id, path, sha256, label, bytes, width, height, added_at, generation)
            VALUES ($id, $path, $sha256, $label, $bytes, $width, $height, $added, $generation);
            """, "$id", "$path", "$sha256", "$label", "$bytes", "$width", "$height", "$added", "$generation"))
        {
            foreach (var image in added)
                Run(insert, image.Id, image.Path, image.Sha256, image.Label, image.Bytes, image.Width, image.Height, image.AddedAt.UtcTicks, generation);
        }
        using (var delete = Command(transaction, "UPDATE images SET deleted_generation = $generation WHERE id = $id AND deleted_generation IS NULL;",
            "$generation", "$id"))
        {
            foreach (long id in deleted) Run(delete, generation, id);
        }
        using (var upsert = Command(transaction, """
                INSERT INTO files (path, size, last_write_ticks, sha256, generation) VALUES ($path, $size, $ticks, $sha256, $generation)
                ON CONFLICT (path) DO UPDATE SET size = excluded.size, last_write_ticks = excluded.last_write_ticks,
                    sha256 = excluded.sha256, generation = excluded.generation;
                """, "$path", "$size", "$ticks", "$sha256", "$generation"))
        using (var forget = Command(transaction, "DELETE FROM files WHERE path = $path;", "$path"))
        {
            foreach (var (path, state) in files)
            {
                if (state is null) Run(forget, path);
                else Run(upsert, path, state.Size, state.LastWriteTicks, state.Sha256, generation);
            }
        }
        using (var state = Command(transaction, "UPDATE state SET value = $value WHERE key = $key;", "$key", "$value"))
        {
            Run(state, "rows", rows);
            Run(state, "generation", generation);
        }
        transaction.Commit();
    }

    private SqliteCommand Command(SqliteTransaction transaction, string sql, params string[] parameters)
    {
        var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (string name in parameters) command.Parameters.Add(new SqliteParameter { ParameterName = name });
        command.Prepare();
        return command;
    }

    private static void Run(SqliteCommand command, params object?[] values)
    {
        for (int i = 0; i < values.Length; i++) command.Parameters[i].Value = values[i] ?? DBNull.Value;
        command.ExecuteNonQuery();
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public void Dispose() => _connection.Dispose();
}
