using Lookalike.Collections;
using Lookalike.Errors;
using Npgsql;
using NpgsqlTypes;

namespace Lookalike.Storage.Postgres;

public sealed partial class PostgresCollection
{
    private const int MaxReservation = 1024;

    // Ids drawn from the images' identity sequence and not used yet (a new block is drawn when they run out).
    private readonly Queue<long> _reservedIds = new();
    private int _reservation = 16;

    // What changed since the last commit, so that a failed commit can be undone in memory.
    private readonly List<long> _pending = [];
    private readonly Dictionary<long, ImageRecord> _deletedSinceCommit = [];
    private readonly Dictionary<string, FileState?> _filesBeforeCommit = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public override ValueTask<(long Id, bool Added)> AddAsync(NewImage image, CancellationToken cancellationToken = default)
    {
        EnsureWritable();
        int dimension = _settings.Model.Dimension;
        if (image.Features.Length != dimension)
            throw new LookalikeException($"Image '{image.Path}' has {image.Features.Length}-d features; this collection holds {dimension}-d vectors.");
        if (Read(() => _idOfHash.TryGetValue(image.Sha256, out long known) ? known : -1) is >= 0 and var found)
            return ValueTask.FromResult((found, false));
        long id = NextId();
        _gate.EnterWriteLock();
        try
        {
            if (_idOfHash.TryGetValue(image.Sha256, out long existing))
            {
                lock (_reservedIds) _reservedIds.Enqueue(id);
                return ValueTask.FromResult((existing, false));
            }
            var record = new ImageRecord(id, image.Path, image.Sha256, image.Label, image.Bytes, image.Width, image.Height,
                TruncatedToMicroseconds(DateTimeOffset.UtcNow));
            _vectors.Add(image.Features, [id]);
            _images[id] = record;
            _addedGeneration[id] = long.MaxValue;
            _idOfHash[image.Sha256] = id;
            _pending.Add(id);
            foreach (var index in _indexes.All) index.Add(image.Features, [id]);
            return ValueTask.FromResult((id, true));
        }
        finally
        {
            _gate.ExitWriteLock();
        }
    }

    /// <summary>PostgreSQL keeps microseconds: a record reads back as it was made.</summary>
    private static DateTimeOffset TruncatedToMicroseconds(DateTimeOffset time) => new(time.Ticks - time.Ticks % 10, TimeSpan.Zero);

    /// <summary>An unused id from the identity sequence (blocks drawn grow to <see cref="MaxReservation"/> while adding goes on).</summary>
    private long NextId()
    {
        lock (_reservedIds)
        {
            if (_reservedIds.Count == 0)
            {
                try
                {
                    using var connection = Connect(_data, _location);
                    using var command = new NpgsqlCommand(
                        "SELECT nextval(pg_get_serial_sequence(@table, 'id')) FROM generate_series(1, @count)", connection);
                    command.Parameters.AddWithValue("table", Table("images"));
                    command.Parameters.AddWithValue("count", _reservation);
                    using var reader = command.ExecuteReader();
                    while (reader.Read()) _reservedIds.Enqueue(reader.GetInt64(0));
                }
                catch (NpgsqlException e)
                {
                    throw new StorageException($"Cannot add to collection '{_location}'", e);
                }
                _reservation = Math.Min(MaxReservation, _reservation * 2);
            }
            return _reservedIds.Dequeue();
        }
    }

    /// <inheritdoc/>
    public override ValueTask<int> DeleteAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken = default)
    {
        EnsureWritable();
        _gate.EnterWriteLock();
        try
        {
            var removed = new List<long>();
            foreach (long id in ids.Distinct())
            {
                if (!_images.Remove(id, out var image)) continue;
                _idOfHash.Remove(image.Sha256);
                if (!_pending.Remove(id)) _deletedSinceCommit[id] = image;
                removed.Add(id);
            }
            foreach (var index in _indexes.All) index.Remove(removed.ToArray());
            return ValueTask.FromResult(removed.Count);
        }
        finally
        {
            _gate.ExitWriteLock();
        }
    }

    /// <inheritdoc/>
    public override ValueTask RecordFileStateAsync(string path, FileState state, CancellationToken cancellationToken = default)
    {
        EnsureWritable();
        _gate.Writing(() =>
        {
            _filesBeforeCommit.TryAdd(path, _files.GetValueOrDefault(path));
            _files[path] = state;
        });
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public override ValueTask CommitAsync(CancellationToken cancellationToken = default)
    {
        EnsureWritable();
        lock (_sync) _gate.Writing(CommitCore);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Writes what changed in one transaction, then takes in what other processes committed before it.
    /// When the transaction fails the changes since the last commit are undone in memory too, so no id
    /// is confirmed that the database does not hold. Callers hold <see cref="_sync"/> and the write gate.
    /// </summary>
    private void CommitCore()
    {
        if (_pending.Count == 0 && _deletedSinceCommit.Count == 0 && _filesBeforeCommit.Count == 0) return;
        HashSet<string> taken;
        long generation;
        try
        {
            (taken, generation) = WriteCommit();
        }
        catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException)
        {
            int lost = _pending.Count;
            RollBack();
            throw new StorageException($"Cannot save collection '{_location}' ({lost} image(s) since the last commit were not stored)", e);
        }
        // Content another process committed first: its copy is the one kept (taken in below).
        foreach (long id in _pending.ToList())
        {
            if (taken.Contains(_images[id].Sha256)) Forget(id);
            else _addedGeneration[id] = generation;
        }
        _pending.Clear();
        _deletedSinceCommit.Clear();
        _filesBeforeCommit.Clear();
        if (generation == _generation + 1)
        {
            _generation = generation; // no other process committed in between: nothing to read back
            return;
        }
        ApplyChanges(FetchChanges(_generation, withSnapshots: false, skip: generation));
    }

    /// <summary>The commit's transaction; returns the hashes of pending images another process committed first (not written) and its generation.</summary>
    private (HashSet<string> Taken, long Generation) WriteCommit()
    {
        using var connection = Connect(_data, _location);
        using var transaction = connection.BeginTransaction();
        PostgresSchema.Execute(connection, "SELECT pg_advisory_xact_lock(hashtext(@key))", ("key", "lookalike-commit:" + _location.Schema));
        var taken = new HashSet<string>(StringComparer.Ordinal);
        using (var command = new NpgsqlCommand($"SELECT sha256 FROM {Table("images")} WHERE deleted_generation IS NULL AND sha256 = ANY(@hashes)", connection))
        {
            command.Parameters.AddWithValue("hashes", _pending.Select(id => _images[id].Sha256).ToArray());
            using var reader = command.ExecuteReader();
            while (reader.Read()) taken.Add(reader.GetString(0));
        }
        long generation = LatestGeneration(connection) + 1;
        var written = _pending.Where(id => !taken.Contains(_images[id].Sha256)).ToList();
        using (var images = connection.BeginBinaryImport(
            $"COPY {Table("images")} (id, path, sha256, label, width, height, bytes, added_at, added_generation) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (long id in written)
            {
                var image = _images[id];
                images.StartRow();
                images.Write(id, NpgsqlDbType.Bigint);
                images.Write(image.Path, NpgsqlDbType.Text);
                images.Write(image.Sha256, NpgsqlDbType.Text);
                if (image.Label is null) images.WriteNull();
                else images.Write(image.Label, NpgsqlDbType.Text);
                images.Write(image.Width, NpgsqlDbType.Integer);
                images.Write(image.Height, NpgsqlDbType.Integer);
                images.Write(image.Bytes, NpgsqlDbType.Bigint);
                images.Write(image.AddedAt.UtcDateTime, NpgsqlDbType.TimestampTz);
                images.Write(generation, NpgsqlDbType.Bigint);
            }
            images.Complete();
        }
        using (var vectors = connection.BeginBinaryImport($"COPY {Table("vectors")} (id, data) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (long id in written)
            {
                vectors.StartRow();
                vectors.Write(id, NpgsqlDbType.Bigint);
                vectors.Write(VectorBytes.FromFloats(_vectors.Vector(id)), NpgsqlDbType.Bytea);
            }
            vectors.Complete();
        }
        int deleted = _deletedSinceCommit.Count == 0 ? 0 : PostgresSchema.Execute(connection,
            $"UPDATE {Table("images")} SET deleted_generation = @generation WHERE id = ANY(@ids) AND deleted_generation IS NULL",
            ("generation", generation), ("ids", _deletedSinceCommit.Keys.ToArray()));
        WriteFileStates(connection, generation);
        PostgresSchema.Execute(connection, $"INSERT INTO {Table("commits")} (generation, added, deleted) VALUES (@generation, @added, @deleted)",
            ("generation", generation), ("added", written.Count), ("deleted", deleted));
        PostgresSchema.Execute(connection, "SELECT pg_notify(@channel, @generation)", ("channel", _location.Channel),
            ("generation", generation.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        transaction.Commit();
        return (taken, generation);
    }

    private void WriteFileStates(NpgsqlConnection connection, long generation)
    {
        var changed = _filesBeforeCommit.Keys.Where(_files.ContainsKey).ToArray();
        if (changed.Length == 0) return;
        var states = changed.Select(path => _files[path]).ToArray();
        PostgresSchema.Execute(connection, $"""
            INSERT INTO {Table("files")} (path, size, last_write_ticks, sha256, generation)
            SELECT p, s, t, h, @generation FROM unnest(@paths::text[], @sizes::bigint[], @ticks::bigint[], @hashes::text[]) AS u(p, s, t, h)
            ON CONFLICT (path) DO UPDATE SET size = excluded.size, last_write_ticks = excluded.last_write_ticks,
                sha256 = excluded.sha256, generation = excluded.generation
            """,
            ("generation", generation), ("paths", changed), ("sizes", states.Select(s => s.Size).ToArray()),
            ("ticks", states.Select(s => s.LastWriteTicks).ToArray()), ("hashes", states.Select(s => s.Sha256).ToArray()));
    }

    /// <summary>Back to the last committed state: pending images, deletions and file states are forgotten.</summary>
    private void RollBack()
    {
        foreach (long id in _pending.ToList()) Forget(id);
        _pending.Clear();
        foreach (var (id, image) in _deletedSinceCommit)
        {
            _images[id] = image;
            _idOfHash[image.Sha256] = id;
        }
        _deletedSinceCommit.Clear();
        foreach (var (path, before) in _filesBeforeCommit)
        {
            if (before is null) _files.Remove(path);
            else _files[path] = before;
        }
        _filesBeforeCommit.Clear();
        // The loaded indexes saw the undone changes; they are loaded or rebuilt when next used.
        _indexes.Clear();
    }

    /// <summary>Drops an image this process added and never stored (its vector stays unused in memory).</summary>
    private void Forget(long id)
    {
        if (!_images.Remove(id, out var image)) return;
        if (_idOfHash.TryGetValue(image.Sha256, out long holder) && holder == id) _idOfHash.Remove(image.Sha256);
        _addedGeneration.Remove(id);
        foreach (var index in _indexes.All) index.Remove([id]);
    }
}
