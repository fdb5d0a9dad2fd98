using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Lookalike.Errors;
using Lookalike.Indexes;

namespace Lookalike.Collections;

public sealed partial class EmbeddedCollection
{
    /// <inheritdoc/>
    public override ValueTask<ImageRecord?> GetAsync(long id, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(() => IsLive(id) ? _images[(int)id] : null));

    /// <inheritdoc/>
    public override ValueTask<ImageRecord?> FindByHashAsync(string sha256, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(() => _idOfHash.TryGetValue(sha256, out long id) ? _images[(int)id] : null));

    /// <inheritdoc/>
    public override ValueTask<FileState?> GetFileStateAsync(string path, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(() => _files.GetValueOrDefault(path)));

    /// <inheritdoc/>
    public override ValueTask<float[]?> GetFeaturesAsync(long id, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(() => IsLive(id) ? ReadVector(id) : null));

    /// <inheritdoc/>
    public override async IAsyncEnumerable<ImageRecord> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var snapshot = Read(() => _images.Where(i => !_deleted.Contains(i.Id)).ToList());
        foreach (var image in snapshot)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return image;
        }
        await Task.CompletedTask;
    }

    /// <summary>
    /// Every live image with its features in one sequential read of the vectors file: row i of the
    /// returned n×d matrix belongs to image i of the list.
    /// </summary>
    public (IReadOnlyList<ImageRecord> Images, float[] Vectors) ReadAll()
    {
        _gate.EnterReadLock();
        try
        {
            int dimension = _manifest.Model.Dimension;
            var live = _images.Where(i => !_deleted.Contains(i.Id)).ToList();
            var vectors = new float[live.Count * dimension];
            int filled = 0;
            ForEachLiveRow((_, row) => row.CopyTo(vectors.AsSpan(filled++ * dimension)));
            return (live, vectors);
        }
        finally
        {
            _gate.ExitReadLock();
        }
    }

    /// <inheritdoc/>
    public override ValueTask<SearchResponse> SearchAsync(ReadOnlyMemory<float> query, SearchOptions options,
        CancellationToken cancellationToken = default)
    {
        int dimension = _manifest.Model.Dimension;
        if (query.Length != dimension)
            throw new LookalikeException($"Query has {query.Length} dimensions; collection '{_folder}' holds {dimension}-d vectors of model {_manifest.Model.Id}.");
        if (options.K < 1) throw new LookalikeException($"k must be at least 1 (was {options.K}).");
        var metric = options.Metric ?? DistanceMetrics.Parse(_manifest.Metric);
        string spec = options.IndexSpec ?? _manifest.Index;
        var index = GetOrBuildIndex(metric, spec);
        _gate.EnterReadLock();
        try
        {
            int k = (int)Math.Min(options.K, Math.Max(1, index.Count));
            var distances = new float[k];
            var ids = new long[k];
            var clock = Stopwatch.StartNew();
            var stats = index.Search(query.Span, k, distances, ids, options.Parameters);
            var elapsed = clock.Elapsed;
            var hits = new List<SearchHit>(k);
            // Under L2 the similarity needs the stored vectors: one file handle serves every hit.
            using var vectors = metric == DistanceMetric.L2 ? OpenVectors() : null;
            for (int i = 0; i < k && ids[i] >= 0; i++)
            {
                float similarity = metric == DistanceMetric.Cosine
                    ? 1f - distances[i]
                    : Distances.CosineSimilarity(query.Span, ReadVector(ids[i], vectors));
                hits.Add(new SearchHit(hits.Count + 1, _images[(int)ids[i]], distances[i], similarity));
            }
            return ValueTask.FromResult(new SearchResponse(hits, metric, index.Spec, stats, elapsed));
        }
        finally
        {
            _gate.ExitReadLock();
        }
    }

    private IVectorIndex GetOrBuildIndex(DistanceMetric metric, string spec)
    {
        _gate.EnterUpgradeableReadLock();
        try
        {
            if (_indexes.TryGetValue((metric, spec), out var existing)) return existing;
            var index = IndexFactory.Create(_manifest.Model.Dimension, spec, metric);
            LoadInto(index);
            _gate.EnterWriteLock();
            try
            {
                _indexes[(metric, spec)] = index;
            }
            finally
            {
                _gate.ExitWriteLock();
            }
            return index;
        }
        finally
        {
            _gate.ExitUpgradeableReadLock();
        }
    }

    /// <summary>
    /// Streams every live vector into a fresh index, in batches; an index that must be trained first
    /// (Ivf, Pca chains, learned hashing) is trained on all live vectors.
    /// </summary>
    private void LoadInto(IVectorIndex index)
    {
        int dimension = _manifest.Model.Dimension;
        if (!index.IsTrained)
        {
            int live = _images.Count - _deleted.Count; // the caller holds the upgradeable lock: no writer runs
            if (live == 0) throw new LookalikeException($"Index {index.Spec} must be trained, and collection '{_folder}' is empty.");
            var vectors = new float[(long)live * dimension];
            var allIds = new long[live];
            int next = 0;
            ForEachLiveRow((id, row) =>
            {
                if (next == live) return;
                row.CopyTo(vectors.AsSpan(next * dimension, dimension));
                allIds[next++] = id;
            });
            index.Train(vectors.AsSpan(0, next * dimension));
            index.Add(vectors.AsSpan(0, next * dimension), allIds.AsSpan(0, next));
            return;
        }
        const int batch = 1024;
        var rows = new float[batch * dimension];
        var ids = new long[batch];
        int filled = 0;
        void Flush()
        {
            if (filled == 0) return;
            index.Add(rows.AsSpan(0, filled * dimension), ids.AsSpan(0, filled));
            filled = 0;
        }
        ForEachLiveRow((id, row) =>
        {
            row.CopyTo(rows.AsSpan(filled * dimension));
            ids[filled++] = id;
            if (filled == batch) Flush();
        });
        Flush();
    }

    /// <summary>
    /// Visits every live row in id order: committed rows from one sequential read of the vectors
    /// file (the array passed is reused), then uncommitted ones. Callers hold the gate.
    /// </summary>
    private void ForEachLiveRow(Action<long, float[]> visit)
    {
        var row = new float[_manifest.Model.Dimension];
        using (var stream = OpenVectors())
        {
            for (long id = 0; id < _manifest.Rows; id++)
            {
                stream.ReadExactly(MemoryMarshal.AsBytes(row.AsSpan()));
                if (!_deleted.Contains(id)) visit(id, row);
            }
        }
        for (int p = 0; p < _pendingVectors.Count; p++)
        {
            long id = _manifest.Rows + p;
            if (!_deleted.Contains(id)) visit(id, _pendingVectors[p]);
        }
    }

    private float[] ReadVector(long id)
    {
        using var stream = id < _manifest.Rows ? OpenVectors() : null;
        return ReadVector(id, stream);
    }

    /// <summary>Row <paramref name="id"/>, from <paramref name="stream"/> when it is committed.</summary>
    private float[] ReadVector(long id, FileStream? stream)
    {
        if (id >= _manifest.Rows) return _pendingVectors[(int)(id - _manifest.Rows)];
        int dimension = _manifest.Model.Dimension;
        var vector = new float[dimension];
        stream!.Seek(id * dimension * sizeof(float), SeekOrigin.Begin);
        stream.ReadExactly(MemoryMarshal.AsBytes(vector.AsSpan()));
        return vector;
    }

    private FileStream OpenVectors() =>
        new(Path.Combine(_folder, EmbeddedFormat.VectorsFile), FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);

    private bool IsLive(long id) => id >= 0 && id < _images.Count && !_deleted.Contains(id);

    private T Read<T>(Func<T> read)
    {
        _gate.EnterReadLock();
        try
        {
            return read();
        }
        finally
        {
            _gate.ExitReadLock();
        }
    }
}
