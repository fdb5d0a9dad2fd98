using Lookalike.Collections;
using Lookalike.Indexes;

namespace Lookalike.Storage.Postgres;

public sealed partial class PostgresCollection
{
    /// <inheritdoc/>
    public override ValueTask<ImageRecord?> GetAsync(long id, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(() => _images.GetValueOrDefault(id)));

    /// <inheritdoc/>
    public override ValueTask<ImageRecord?> FindByHashAsync(string sha256, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(() => _idOfHash.TryGetValue(sha256, out long id) ? _images[id] : null));

    /// <inheritdoc/>
    public override ValueTask<FileState?> GetFileStateAsync(string path, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(() => _files.GetValueOrDefault(path)));

    /// <inheritdoc/>
    public override async ValueTask<float[]?> GetFeaturesAsync(long id, CancellationToken cancellationToken = default)
    {
        var (live, held) = Read(() => (_images.ContainsKey(id), _vectors.Contains(id) ? _vectors.Vector(id).ToArray() : null));
        if (!live) return null;
        if (held is not null) return held;
        await using var connection = await _data.OpenConnectionAsync(cancellationToken);
        await using var command = new Npgsql.NpgsqlCommand($"SELECT data FROM {Table("vectors")} WHERE id = @id", connection);
        command.Parameters.AddWithValue("id", id);
        return await command.ExecuteScalarAsync(cancellationToken) is byte[] bytes ? VectorBytes.ToFloats(bytes, _settings.Model.Dimension, id) : null;
    }

    /// <inheritdoc/>
    public override IAsyncEnumerable<ImageRecord> ListAsync(CancellationToken cancellationToken = default) =>
        _gate.Snapshot(() => _images.Values.OrderBy(i => i.Id).ToList(), cancellationToken);

    /// <inheritdoc/>
    public override IAsyncEnumerable<(string Path, FileState State)> ListFileStatesAsync(CancellationToken cancellationToken = default) =>
        _gate.Snapshot(() => _files.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => (f.Key, f.Value)).ToList(), cancellationToken);

    /// <inheritdoc/>
    public override ValueTask<(IReadOnlyList<ImageRecord> Images, float[] Vectors)> ReadAllAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(() => ((IReadOnlyList<ImageRecord>)[.. _images.Values.OrderBy(i => i.Id)], LiveVectors())));

    /// <inheritdoc/>
    public override ValueTask<SearchResponse> SearchAsync(ReadOnlyMemory<float> query, SearchOptions options,
        CancellationToken cancellationToken = default)
    {
        IndexFilling.CheckQuery(query.Span, options, _settings.Model.Dimension, _location.Display, _settings.Model.Id);
        if (!_view.HoldsVectors) throw new InvalidOperationException($"This view of '{_location}' holds no vectors to search.");
        var metric = options.Metric ?? _settings.Metric;
        string spec = options.IndexSpec ?? _settings.IndexSpec;
        if (PgVector.IsSpec(spec))
        {
            using var connection = Connect(_data, _location);
            throw PgVector.Unavailable(connection, _location);
        }
        var index = GetOrLoadIndex(metric, spec);
        _gate.EnterReadLock();
        try
        {
            return ValueTask.FromResult(IndexFilling.Search(index, query.Span, options, metric, _vectors, id => _images[id]));
        }
        finally
        {
            _gate.ExitReadLock();
        }
    }

    /// <summary>Ids of the live images in order. Callers hold the gate.</summary>
    private List<long> LiveIds()
    {
        var ids = _images.Keys.ToList();
        ids.Sort();
        return ids;
    }

    /// <summary>A copy of every live vector in id order (n×d). Callers hold the gate.</summary>
    private float[] LiveVectors()
    {
        int dimension = _settings.Model.Dimension;
        var ids = LiveIds();
        var vectors = new float[(long)ids.Count * dimension];
        for (int i = 0; i < ids.Count; i++) _vectors.Vector(ids[i]).CopyTo(vectors.AsSpan(i * dimension, dimension));
        return vectors;
    }
}
