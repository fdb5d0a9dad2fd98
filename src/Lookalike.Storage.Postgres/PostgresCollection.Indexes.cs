using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Lookalike.Collections;
using Lookalike.Errors;
using Lookalike.Indexes;
using Lookalike.Progress;
using Npgsql;

namespace Lookalike.Storage.Postgres;

public sealed partial class PostgresCollection
{
    /// <summary>A saved index as listed, with the commit generation it covers.</summary>
    private sealed record SnapshotEntry(PersistedIndex Entry, long Generation)
    {
        /// <summary>The shard suffix of a shard's snapshot (<see cref="ShardOf.SnapshotSuffix"/>), or null for the whole collection's.</summary>
        public string? Shard => Entry.Name.IndexOf('@') is >= 0 and var at ? Entry.Name[at..] : null;
    }

    /// <inheritdoc/>
    public override ValueTask<IReadOnlyList<PersistedIndex>> SaveIndexesAsync(IReadOnlyCollection<string> specs, bool rebuild = false,
        IProgress<ProgressUpdate>? progress = null, CancellationToken cancellationToken = default)
    {
        EnsureWritable();
        lock (_sync) return ValueTask.FromResult<IReadOnlyList<PersistedIndex>>(_gate.Writing(() => SaveIndexes(specs, rebuild, progress)));
    }

    /// <summary>
    /// Commits, then builds (or brings up to date) each index and stores it as a snapshot covering the
    /// current generation; snapshots saved before and not named are brought up to date too.
    /// Callers hold <see cref="_sync"/> and the write gate.
    /// </summary>
    private List<PersistedIndex> SaveIndexes(IReadOnlyCollection<string> specs, bool rebuild, IProgress<ProgressUpdate>? progress)
    {
        CommitCore();
        var chosen = _settings.Metric;
        var wanted = specs.Select(s => (Metric: chosen, Spec: _indexes.Canonical(chosen, s))).ToList();
        foreach (var saved in _snapshots.Where(s => s.Shard is null))
        {
            var key = (DistanceMetrics.Parse(saved.Entry.Metric), saved.Entry.Spec);
            if (!wanted.Contains(key)) wanted.Add(key);
        }
        var result = new List<PersistedIndex>();
        foreach (var (metric, spec) in wanted)
        {
            var entry = FindSnapshot(metric, spec);
            var index = !rebuild && entry is not null ? LoadSnapshot(entry, progress) : null;
            index ??= BuildIndex(metric, spec, progress);
            long trainedOn = rebuild || entry is null || index.Count == 0 ? index.Count : entry.Entry.TrainedOn;
            result.Add(StoreSnapshot(index, metric, trainedOn));
            _indexes.Keep(metric, spec, index);
        }
        using (var connection = Connect(_data, _location))
        {
            _snapshots = ReadSnapshots(connection);
            PostgresSchema.Execute(connection, "SELECT pg_notify(@channel, 'indexes')", ("channel", _location.Channel));
        }
        return result;
    }

    /// <summary>
    /// The loaded, saved or freshly built index for (metric, spec), cached for later searches. A shard
    /// stores the index it had to build as its own snapshot, so that it starts from there when it is
    /// activated again (on another machine after a failure).
    /// </summary>
    private IVectorIndex GetOrLoadIndex(DistanceMetric metric, string spec) => _indexes.GetOrLoad(metric, spec, (m, canonical) =>
    {
        if (FindSnapshot(m, canonical) is { } entry && LoadSnapshot(entry, null) is { } loaded) return loaded;
        var built = BuildIndex(m, canonical, null);
        if (_view.Shard is not null) StoreSnapshot(built, m, built.Count);
        return built;
    });

    private SnapshotEntry? FindSnapshot(DistanceMetric metric, string canonical) =>
        _snapshots.FirstOrDefault(s => s.Entry.Spec == canonical && DistanceMetrics.Parse(s.Entry.Metric) == metric && s.Shard == _view.Shard?.SnapshotSuffix);

    private IVectorIndex BuildIndex(DistanceMetric metric, string spec, IProgress<ProgressUpdate>? progress) =>
        IndexFilling.Build(_registry, _settings.Model.Dimension, metric, spec, _vectors, LiveIds(), LiveVectors, _location.Display, progress);

    /// <summary>
    /// A saved snapshot, brought up to date: images deleted since it was saved are removed (their vectors
    /// read once more, since the index still holds them) and images added since are added. Null (and a
    /// progress note) when it cannot be used, so that the caller builds the index afresh.
    /// </summary>
    private IVectorIndex? LoadSnapshot(SnapshotEntry entry, IProgress<ProgressUpdate>? progress)
    {
        byte[]? data;
        var deletedSince = new Dictionary<long, float[]>();
        using (var connection = Connect(_data, _location))
        {
            using (var command = new NpgsqlCommand($"SELECT data FROM {Table("index_snapshots")} WHERE name = @name", connection))
            {
                command.Parameters.AddWithValue("name", entry.Entry.Name);
                data = command.ExecuteScalar() as byte[];
            }
            using var deleted = new NpgsqlCommand($"""
                SELECT i.id, v.data FROM {Table("images")} i JOIN {Table("vectors")} v ON v.id = i.id
                WHERE i.added_generation <= @generation AND i.deleted_generation > @generation{(_view.Shard is { } of ? " AND " + of.Condition("i.id") : "")}
                """, connection);
            deleted.Parameters.AddWithValue("generation", entry.Generation);
            using var reader = deleted.ExecuteReader();
            while (reader.Read())
            {
                long id = reader.GetInt64(0);
                deletedSince[id] = VectorBytes.ToFloats((byte[])reader[1], _settings.Model.Dimension, id);
            }
        }
        if (data is null) return null;
        IVectorIndex index;
        try
        {
            index = _registry.Load(new MemoryStream(data, writable: false), new OverlayVectorSource(_vectors, deletedSince));
        }
        catch (Exception e) when (e is LookalikeException or IOException or InvalidDataException)
        {
            progress?.Report(new ProgressUpdate($"Rebuilding {entry.Entry.Spec}", 0, null, $"its snapshot cannot be used: {e.Message}"));
            return null;
        }
        if (index.Spec != entry.Entry.Spec || index.Dimension != _settings.Model.Dimension)
        {
            index.Dispose();
            progress?.Report(new ProgressUpdate($"Rebuilding {entry.Entry.Spec}", 0, null, "its snapshot holds another index"));
            return null;
        }
        index.Remove([.. deletedSince.Keys, .. _deletedSinceCommit.Keys]);
        var added = LiveIds().Where(id => _addedGeneration[id] > entry.Generation).ToList();
        IndexFilling.Add(index, _vectors, added, IndexFilling.UpdateStage(index), progress);
        return index;
    }

    /// <summary>Stores an index as the snapshot of its (metric, spec), covering the current generation.</summary>
    private PersistedIndex StoreSnapshot(IVectorIndex index, DistanceMetric metric, long trainedOn)
    {
        using var buffer = new MemoryStream();
        IndexRegistry.Save(index, buffer);
        var entry = new PersistedIndex(NameOf(metric, index.Spec) + _view.Shard?.SnapshotSuffix, index.Spec, metric.Name(), index.Count, trainedOn, buffer.Length,
            TruncatedToMicroseconds(DateTimeOffset.UtcNow));
        using var connection = Connect(_data, _location);
        PostgresSchema.Execute(connection, $"""
            INSERT INTO {Table("index_snapshots")} (name, spec, metric, generation, rows, trained_on, bytes, built_at, data)
            VALUES (@name, @spec, @metric, @generation, @rows, @trained, @bytes, @built, @data)
            ON CONFLICT (name) DO UPDATE SET spec = excluded.spec, metric = excluded.metric, generation = excluded.generation,
                rows = excluded.rows, trained_on = excluded.trained_on, bytes = excluded.bytes, built_at = excluded.built_at, data = excluded.data
            """,
            ("name", entry.Name), ("spec", entry.Spec), ("metric", entry.Metric), ("generation", _generation), ("rows", entry.Rows),
            ("trained", entry.TrainedOn), ("bytes", entry.Bytes), ("built", entry.BuiltAt.UtcDateTime), ("data", buffer.ToArray()));
        return entry;
    }

    private IReadOnlyList<SnapshotEntry> ReadSnapshots(NpgsqlConnection connection)
    {
        using var command = new NpgsqlCommand(
            $"SELECT name, spec, metric, generation, rows, trained_on, bytes, built_at FROM {Table("index_snapshots")} ORDER BY built_at, name", connection);
        using var reader = command.ExecuteReader();
        var list = new List<SnapshotEntry>();
        while (reader.Read())
        {
            var entry = new PersistedIndex(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(4), reader.GetInt64(5),
                reader.GetInt64(6), new DateTimeOffset(reader.GetDateTime(7), TimeSpan.Zero));
            list.Add(new SnapshotEntry(entry, reader.GetInt64(3)));
        }
        return list;
    }

    /// <summary>A name that says what the index is and cannot collide: type, metric, hash of the spec.</summary>
    private static string NameOf(DistanceMetric metric, string spec)
    {
        int end = spec.IndexOfAny(['(', ',']);
        string type = (end < 0 ? spec : spec[..end]).ToLowerInvariant();
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{metric.Name()}|{spec}")))[..12];
        return string.Create(CultureInfo.InvariantCulture, $"{type}-{metric.Name()}-{hash}");
    }
}
