using System.Data;
using System.Globalization;
using Lookalike.Collections;
using Lookalike.Errors;
using Npgsql;
using NpgsqlTypes;

namespace Lookalike.Storage.Postgres;

public sealed partial class PostgresCollection
{
    /// <summary>What other processes committed after a generation, read in one snapshot of the database.</summary>
    private sealed record Changes(long Generation, List<(ImageRecord Image, long Generation, float[]? Vector)> Added, List<long> Deleted,
        List<(string Path, FileState State)> Files, IReadOnlyList<SnapshotEntry>? Snapshots);

    /// <inheritdoc/>
    /// <remarks>Cheap when nothing changed: one indexed look-up of the latest commit generation.</remarks>
    /// <exception cref="LookalikeException">when the database can no longer be read.</exception>
    public override bool Refresh()
    {
        bool signalled = _changes.TakeSignal();
        lock (_sync)
        {
            Changes changes;
            try
            {
                changes = FetchChanges(_generation, withSnapshots: signalled);
            }
            catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException)
            {
                throw new LookalikeException($"Collection '{_location}' can no longer be read: {e.Message}", e);
            }
            return _gate.Writing(() => ApplyChanges(changes));
        }
    }

    /// <summary>Loads everything committed so far (at open, before anyone else uses the instance).</summary>
    private void LoadChanges()
    {
        var changes = FetchChanges(0, withSnapshots: true);
        _gate.Writing(() => ApplyChanges(changes));
    }

    /// <summary>
    /// Reads the commits after <paramref name="since"/> (but <paramref name="skip"/>, this process's own) in one
    /// repeatable-read transaction (no gate needed), and the list of index snapshots when asked or when there was a commit.
    /// </summary>
    private Changes FetchChanges(long since, bool withSnapshots, long skip = -1)
    {
        using var connection = Connect(_data, _location);
        using var transaction = connection.BeginTransaction(IsolationLevel.RepeatableRead);
        long latest = LatestGeneration(connection);
        var snapshots = withSnapshots || latest > since ? ReadSnapshots(connection) : null;
        if (latest <= since) return new Changes(since, [], [], [], snapshots);
        string after = since.ToString(CultureInfo.InvariantCulture);
        string shard = (_view.Shard is { } of ? " AND " + of.Condition("i.id") : "")
            + (skip >= 0 ? " AND i.added_generation <> " + skip.ToString(CultureInfo.InvariantCulture) : "");
        string data = _view.HoldsVectors ? "v.data" : "NULL::bytea";
        string join = _view.HoldsVectors ? $"JOIN {Table("vectors")} v ON v.id = i.id" : "";
        var added = new List<(ImageRecord, long, float[]?)>();
        using (var export = connection.BeginBinaryExport($"""
            COPY (SELECT i.id, i.path, i.sha256, i.label, i.bytes, i.width, i.height, i.added_at, i.added_generation, {data}
                  FROM {Table("images")} i {join}
                  WHERE i.added_generation > {after} AND i.deleted_generation IS NULL{shard} ORDER BY i.id) TO STDOUT (FORMAT BINARY)
            """))
        {
            while (export.StartRow() >= 0)
            {
                long id = export.Read<long>(NpgsqlDbType.Bigint);
                string path = export.Read<string>(NpgsqlDbType.Text), sha256 = export.Read<string>(NpgsqlDbType.Text);
                string? label = export.IsNull ? Skip<string>(export) : export.Read<string>(NpgsqlDbType.Text);
                long bytes = export.Read<long>(NpgsqlDbType.Bigint);
                int width = export.Read<int>(NpgsqlDbType.Integer), height = export.Read<int>(NpgsqlDbType.Integer);
                var addedAt = export.Read<DateTime>(NpgsqlDbType.TimestampTz);
                long generation = export.Read<long>(NpgsqlDbType.Bigint);
                float[]? vector = _view.HoldsVectors ? VectorBytes.ToFloats(export.Read<byte[]>(NpgsqlDbType.Bytea), _settings.Model.Dimension, id) : Skip<float[]>(export);
                added.Add((new ImageRecord(id, path, sha256, label, bytes, width, height, new DateTimeOffset(addedAt, TimeSpan.Zero)), generation, vector));
            }
        }
        var deleted = new List<long>();
        if (since > 0)
        {
            using var command = new NpgsqlCommand($"SELECT id FROM {Table("images")} WHERE deleted_generation > @since", connection);
            command.Parameters.AddWithValue("since", since);
            using var reader = command.ExecuteReader();
            while (reader.Read()) deleted.Add(reader.GetInt64(0));
        }
        var files = new List<(string, FileState)>();
        using (var command = new NpgsqlCommand($"SELECT path, size, last_write_ticks, sha256 FROM {Table("files")} WHERE generation > @since", connection))
        {
            if (_view.Shard is not null) command.CommandText += " AND false"; // a shard serves searches only
            command.Parameters.AddWithValue("since", since);
            using var reader = command.ExecuteReader();
            while (reader.Read()) files.Add((reader.GetString(0), new FileState(reader.GetInt64(1), reader.GetInt64(2), reader.GetString(3))));
        }
        transaction.Commit();
        return new Changes(latest, added, deleted, files, snapshots);
    }

    private static T? Skip<T>(NpgsqlBinaryExporter export) where T : class
    {
        export.Skip();
        return null;
    }

    private long LatestGeneration(NpgsqlConnection connection)
    {
        using var command = new NpgsqlCommand($"SELECT coalesce(max(generation), 0) FROM {Table("commits")}", connection);
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>
    /// Takes in fetched changes, into the loaded indexes too; rows this process already holds (its own
    /// commits) are skipped, so applying is idempotent. Callers hold the write gate.
    /// </summary>
    /// <returns>Whether there was a newer commit.</returns>
    private bool ApplyChanges(Changes changes)
    {
        if (changes.Snapshots is not null) _snapshots = changes.Snapshots;
        if (changes.Generation <= _generation) return false;
        var newIds = new List<long>();
        foreach (var (image, generation, vector) in changes.Added)
        {
            if (_addedGeneration.ContainsKey(image.Id)) continue; // this process's own, or known already
            if (vector is not null) _vectors.Add(vector, [image.Id]);
            _images[image.Id] = image;
            _addedGeneration[image.Id] = generation;
            _idOfHash[image.Sha256] = image.Id;
            newIds.Add(image.Id);
        }
        var removed = new List<long>();
        foreach (long id in changes.Deleted)
        {
            if (!_images.Remove(id, out var image)) continue;
            if (_idOfHash.TryGetValue(image.Sha256, out long holder) && holder == id) _idOfHash.Remove(image.Sha256);
            removed.Add(id);
        }
        foreach (var (path, state) in changes.Files) _files[path] = state;
        foreach (var index in _indexes.All)
        {
            index.Remove(removed.ToArray());
            IndexFilling.Add(index, _vectors, newIds, IndexFilling.UpdateStage(index), null);
        }
        _generation = changes.Generation;
        return true;
    }
}
