using System.Text.Json;
using Lookalike.Collections;
using Lookalike.Errors;
using Lookalike.Indexes;
using Npgsql;

namespace Lookalike.Storage.Postgres;

/// <summary>
/// A collection in PostgreSQL (schema <c>lookalike_NAME</c>: images, vectors, file states, commits,
/// index snapshots and the model). Each process holds the live records and vectors in memory, loaded
/// at open with binary COPY, and searches there with ordinary indexes (loaded from their latest
/// snapshot); it follows other processes' commits through LISTEN/NOTIFY and the commit generation.
/// </summary>
/// <remarks>
/// Any number of processes may read and write the same collection. Ids are drawn from the images'
/// identity sequence when an image is added, so writers never collide; a commit writes its images,
/// vectors, deletions and file states with binary COPY in one transaction (the commit point) under
/// a transaction-scoped advisory lock, so commits get generations in the order they become visible.
/// A process killed during a commit leaves nothing of it. Within a process, searches run
/// concurrently; mutations are serialised.
/// </remarks>
public sealed partial class PostgresCollection : ImageCollection
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly PostgresLocation _location;
    private readonly NpgsqlDataSource _data;
    private readonly IndexRegistry _registry;
    private readonly bool _writable;
    private readonly ReaderWriterLockSlim _gate = new(LockRecursionPolicy.NoRecursion);
    private readonly Lock _sync = new(); // one commit or refresh at a time
    private readonly Dictionary<long, ImageRecord> _images = [];
    private readonly Dictionary<long, long> _addedGeneration = [];
    private readonly Dictionary<string, long> _idOfHash = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FileState> _files = new(StringComparer.Ordinal);
    private readonly InMemoryVectorSource _vectors;
    private readonly LoadedIndexes _indexes;
    private readonly ChangeListener _changes;
    private readonly CollectionSettings _settings;
    private readonly PostgresView _view;
    private IReadOnlyList<SnapshotEntry> _snapshots = [];
    private long _generation;

    private PostgresCollection(PostgresLocation location, NpgsqlDataSource data, IndexRegistry registry, bool writable,
        CollectionSettings settings, PostgresView view)
    {
        _view = view;
        _location = location;
        _data = data;
        _registry = registry;
        _writable = writable;
        _settings = settings;
        _vectors = new InMemoryVectorSource(settings.Model.Dimension);
        _indexes = new LoadedIndexes(registry, settings.Model.Dimension, _gate);
        _changes = new ChangeListener(data, location.Channel);
    }

    /// <summary>What the <c>collection</c> row holds.</summary>
    private sealed record CollectionSettings(ModelReference Model, DistanceMetric Metric, string IndexSpec);

    /// <summary>Opens (or, with <paramref name="creation"/>, creates) the collection at <paramref name="location"/> and loads it.</summary>
    internal static PostgresCollection Open(PostgresLocation location, IndexRegistry registry, CollectionAccess access, NewCollection? creation,
        PostgresView? view = null)
    {
        view ??= PostgresView.Whole;
        if (view.Shard is not null && access != CollectionAccess.Read) throw new ArgumentException("A shard is opened for reading.", nameof(view));
        var data = new NpgsqlDataSourceBuilder(location.ConnectionString).Build();
        try
        {
            CollectionSettings settings;
            using (var connection = Connect(data, location))
            {
                if (access == CollectionAccess.WriteOrCreate)
                {
                    ArgumentNullException.ThrowIfNull(creation, "Creating a collection needs its model, metric and index.");
                    registry.Validate(creation.Model.Dimension, creation.IndexSpec, creation.Metric);
                    PostgresSchema.Migrate(connection, location);
                    Create(connection, location, creation);
                }
                else if (PostgresSchema.Version(connection, location) is not { } version)
                {
                    throw NoCollection(location);
                }
                else if (version < PostgresSchema.Latest)
                {
                    PostgresSchema.Migrate(connection, location);
                }
                settings = ReadSettings(connection, location) ?? throw NoCollection(location);
            }
            var collection = new PostgresCollection(location, data, registry, access != CollectionAccess.Read, settings, view);
            if (creation is not null) collection.EnsureModel(creation.Model);
            collection.LoadChanges();
            collection._changes.Start();
            return collection;
        }
        catch (NpgsqlException e)
        {
            data.Dispose();
            throw Unreachable(location, e);
        }
        catch
        {
            data.Dispose();
            throw;
        }
    }

    /// <summary>The model recorded at <paramref name="location"/>, or null when no collection is there.</summary>
    internal static ModelReference? ReadModel(PostgresLocation location)
    {
        using var data = NpgsqlDataSource.Create(location.ConnectionString);
        try
        {
            using var connection = Connect(data, location);
            return PostgresSchema.Version(connection, location) is null ? null : ReadSettings(connection, location)?.Model;
        }
        catch (NpgsqlException e)
        {
            throw Unreachable(location, e);
        }
    }

    private static NpgsqlConnection Connect(NpgsqlDataSource data, PostgresLocation location)
    {
        try
        {
            return data.OpenConnection();
        }
        catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            throw Unreachable(location, e);
        }
    }

    private static void Create(NpgsqlConnection connection, PostgresLocation location, NewCollection creation)
    {
        PostgresSchema.Execute(connection,
            $"INSERT INTO {PostgresSchema.Quote(location.Schema)}.collection (model, metric, index_spec) VALUES (@model::jsonb, @metric, @spec) ON CONFLICT DO NOTHING",
            ("model", JsonSerializer.Serialize(creation.Model, Json)), ("metric", creation.Metric.Name()), ("spec", creation.IndexSpec));
    }

    private static CollectionSettings? ReadSettings(NpgsqlConnection connection, PostgresLocation location)
    {
        using var command = new NpgsqlCommand($"SELECT model::text, metric, index_spec FROM {PostgresSchema.Quote(location.Schema)}.collection", connection);
        using var reader = command.ExecuteReader();
        if (!reader.Read()) return null;
        var model = JsonSerializer.Deserialize<ModelReference>(reader.GetString(0), Json)
            ?? throw new LookalikeException($"Collection '{location}' records no model.");
        return new CollectionSettings(model, DistanceMetrics.Parse(reader.GetString(1)), reader.GetString(2));
    }

    private static LookalikeException NoCollection(PostgresLocation location) => new(
        $"There is no collection '{location.Collection}' in {location}. Create it with lookalike index FOLDER --collection \"{location}\" " +
        "(or lookalike migrate --from DIR --to it).");

    private static LookalikeException Unreachable(PostgresLocation location, Exception e) => e is PostgresException postgres
        ? new StorageException($"PostgreSQL refused collection '{location}' ({postgres.SqlState})", e)
        : new StorageException($"Cannot reach PostgreSQL for collection '{location}'", e);

    /// <inheritdoc/>
    public override ModelReference Model => _settings.Model;

    /// <inheritdoc/>
    public override string Location => _location.Display;

    /// <inheritdoc/>
    public override long Count => Read(() => (long)_images.Count);

    /// <inheritdoc/>
    public override CollectionInfo Info
    {
        get
        {
            long size = SizeInDatabase();
            return Read(() => new CollectionInfo(_location.Display, _images.Count, _settings.Model, _settings.Metric, _settings.IndexSpec,
                size, [.. _snapshots.Where(s => s.Shard is null).Select(s => s.Entry)]));
        }
    }

    /// <summary>The collection's default metric (without the size query <see cref="Info"/> makes).</summary>
    public DistanceMetric DefaultMetric => _settings.Metric;

    /// <summary>The collection's default index spec (without the size query <see cref="Info"/> makes).</summary>
    public string DefaultIndexSpec => _settings.IndexSpec;

    /// <summary>What this instance loaded: every image, records only, or one shard.</summary>
    public PostgresView View => _view;

    /// <summary>The specs of the indexes this instance has loaded or built.</summary>
    public IReadOnlyList<string> LoadedIndexSpecs => Read(() => _indexes.All.Select(i => i.Spec).ToList());

    /// <summary>The commit generation this instance has taken in.</summary>
    public long Generation => Read(() => _generation);

    /// <summary>Bytes of the vectors this instance holds in memory (not counting the indexes).</summary>
    public long VectorBytesInMemory => Read(() => (long)_vectors.Count * _settings.Model.Dimension * sizeof(float));

    /// <summary>Bytes the collection's tables and their indexes take in the database.</summary>
    private long SizeInDatabase()
    {
        using var connection = Connect(_data, _location);
        using var command = new NpgsqlCommand("""
            SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = @schema AND c.relkind = 'r'
            """, connection);
        command.Parameters.AddWithValue("schema", _location.Schema);
        return (long)command.ExecuteScalar()!;
    }

    private string Table(string name) => PostgresSchema.Quote(_location.Schema) + "." + name;

    private T Read<T>(Func<T> read) => _gate.Reading(read);

    private void EnsureWritable()
    {
        if (!_writable) throw new InvalidOperationException($"Collection '{_location}' was opened read-only.");
    }

    /// <inheritdoc/>
    /// <remarks>Returns as soon as a commit is announced on the collection's channel (LISTEN/NOTIFY).</remarks>
    public override Task WaitForChangeAsync(TimeSpan timeout, CancellationToken cancellationToken) => _changes.WaitAsync(timeout, cancellationToken);

    /// <inheritdoc/>
    public override async ValueTask DisposeAsync()
    {
        await _changes.DisposeAsync();
        _indexes.Dispose();
        await _data.DisposeAsync();
        _gate.Dispose();
    }
}
