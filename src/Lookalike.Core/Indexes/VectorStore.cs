using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Lookalike.Errors;

namespace Lookalike.Indexes;

/// <summary>
/// The vectors of an index, stored once: their ids, removal marks and the exact distance kernel.
/// Either it owns its rows (L2-normalised for cosine) or it reads them from an
/// <see cref="IVectorSource"/> shared with other indexes and keeps only ids (and, for cosine, each
/// row's norm, so that the shared raw rows are compared as if normalised). <see cref="Flat"/>
/// scans it whole; hashing and clustering indexes rank their candidate rows with it.
/// </summary>
/// <remarks>Reads are thread-safe; <see cref="Add"/> and <see cref="Remove"/> need exclusive access.</remarks>
public sealed class VectorStore
{
    private readonly VectorRows? _rows;
    private readonly IVectorSource? _source;
    private readonly List<float> _inverseNorms = [];
    private readonly List<float> _squaredNorms = [];
    private readonly List<long> _ids = [];
    private readonly List<bool> _removed = [];
    private readonly Dictionary<long, int> _rowOfId = [];

    /// <summary>Creates an empty store that keeps its own rows.</summary>
    public VectorStore(int dimension, DistanceMetric metric) : this(dimension, metric, null) { }

    /// <summary>Creates an empty store that reads rows from <paramref name="source"/> (its own copy when null).</summary>
    public VectorStore(int dimension, DistanceMetric metric, IVectorSource? source)
    {
        if (dimension <= 0) throw new LookalikeException($"Index dimension must be positive (was {dimension}).");
        if (source is not null && source.Dimension != dimension)
            throw new LookalikeException($"The vector source holds {source.Dimension}-d vectors; the index takes {dimension}-d.");
        Dimension = dimension;
        Metric = metric;
        _source = source;
        _rows = source is null ? new VectorRows(dimension) : null;
    }

    /// <summary>Components per vector.</summary>
    public int Dimension { get; }

    /// <summary>Metric of <see cref="RankingDistance"/>.</summary>
    public DistanceMetric Metric { get; }

    /// <summary>Whether rows are read from a shared <see cref="IVectorSource"/> rather than owned.</summary>
    public bool IsShared => _source is not null;

    /// <summary>Live vectors.</summary>
    public long Count => _rowOfId.Count;

    /// <summary>Rows ever stored, removed ones included.</summary>
    public int RowCount => _ids.Count;

    /// <summary>
    /// Row <paramref name="row"/> as the index compares it (normalised for cosine): for a shared
    /// cosine store a normalised copy, so prefer <see cref="RankingDistance"/> on hot paths.
    /// </summary>
    public ReadOnlySpan<float> Row(int row)
    {
        if (_rows is not null) return _rows[row];
        var raw = _source!.Vector(_ids[row]);
        if (Metric != DistanceMetric.Cosine) return raw;
        float[] copy = raw.ToArray();
        TensorPrimitives.Multiply(copy, _inverseNorms[row], copy);
        return copy;
    }

    /// <summary>
    /// Row <paramref name="row"/> as the index compares it without allocating: the stored span, or
    /// for a shared cosine store a normalised copy in <paramref name="buffer"/> (d floats).
    /// </summary>
    public ReadOnlySpan<float> Row(int row, Span<float> buffer)
    {
        if (_rows is not null) return _rows[row];
        var raw = _source!.Vector(_ids[row]);
        if (Metric != DistanceMetric.Cosine) return raw;
        var copy = buffer[..Dimension];
        TensorPrimitives.Multiply(raw, _inverseNorms[row], copy);
        return copy;
    }

    /// <summary>The <see cref="RankingDistance"/> between two stored rows.</summary>
    public float RankingDistanceBetween(int a, int b)
    {
        var x = KernelRow(a);
        var y = KernelRow(b);
        return Metric == DistanceMetric.L2
            ? VectorKernels.SquaredL2(x, y)
            : 1f - (VectorKernels.Dot(x, y) * DotScale(a) * DotScale(b));
    }

    /// <summary>Row of a live id.</summary>
    public int RowOf(long id) => _rowOfId[id];

    /// <summary>Row of <paramref name="id"/> when it is live.</summary>
    public bool TryGetRow(long id, out int row) => _rowOfId.TryGetValue(id, out row);

    /// <summary>Id of a row.</summary>
    public long IdOf(int row) => _ids[row];

    /// <summary>Whether a row was removed.</summary>
    public bool IsRemoved(int row) => _removed[row];

    /// <summary>A store like this one (same metric, same source) without rows.</summary>
    public VectorStore CloneEmpty() => new(Dimension, Metric, _source);

    /// <summary>
    /// Adds vectors; returns the row number of the first one. A shared store reads the rows from its
    /// source (where every id must already be) and only checks the shape of <paramref name="vectors"/>.
    /// </summary>
    public int Add(ReadOnlySpan<float> vectors, ReadOnlySpan<long> ids)
    {
        int n = IndexArguments.CheckAdd(Dimension, vectors, ids);
        var fresh = new HashSet<long>();
        foreach (long id in ids)
        {
            if (_rowOfId.ContainsKey(id) || !fresh.Add(id))
                throw new LookalikeException($"Id {id} is already in the index; remove it first or use a new id.");
            if (_source is not null && !_source.Contains(id))
                throw new LookalikeException($"Id {id} is not in the vectors this index reads; add it to the collection first.");
        }
        int first = RowCount;
        for (int i = 0; i < n; i++) Append(vectors.Slice(i * Dimension, Dimension), ids[i], removed: false, inverseNorm: null);
        return first;
    }

    /// <summary>Marks ids removed; returns the rows affected.</summary>
    public List<int> Remove(ReadOnlySpan<long> ids)
    {
        var rows = new List<int>();
        foreach (long id in ids)
        {
            if (!_rowOfId.Remove(id, out int row)) continue;
            _removed[row] = true;
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>The query as stored rows are: itself, or for cosine a normalised copy in <paramref name="buffer"/> (d floats).</summary>
    public ReadOnlySpan<float> PrepareQuery(ReadOnlySpan<float> query, Span<float> buffer)
    {
        if (Metric != DistanceMetric.Cosine) return query;
        var normalized = buffer[..Dimension];
        query.CopyTo(normalized);
        Distances.Normalize(normalized);
        return normalized;
    }

    /// <summary>The query as stored rows are (a normalised copy for cosine).</summary>
    public ReadOnlySpan<float> PrepareQuery(ReadOnlySpan<float> query) =>
        Metric == DistanceMetric.Cosine ? PrepareQuery(query, new float[Dimension]) : query;

    /// <summary>
    /// The distance indexes rank by, from a prepared query to a stored row: squared Euclidean for
    /// L2 (<see cref="Reported"/> takes the root once per result), 1 − cosine similarity for cosine.
    /// </summary>
    public float RankingDistance(ReadOnlySpan<float> preparedQuery, int row)
    {
        if (_rows is not null)
        {
            return Metric == DistanceMetric.L2
                ? VectorKernels.SquaredL2(preparedQuery, _rows[row])
                : 1f - VectorKernels.Dot(preparedQuery, _rows[row]);
        }
        var raw = _source!.Vector(_ids[row]);
        return Metric == DistanceMetric.L2
            ? VectorKernels.SquaredL2(preparedQuery, raw)
            : 1f - (VectorKernels.Dot(preparedQuery, raw) * _inverseNorms[row]);
    }

    /// <summary>The metric's distance for a <see cref="RankingDistance"/> value.</summary>
    public float Reported(float rankingDistance) =>
        Metric == DistanceMetric.L2 ? MathF.Sqrt(Math.Max(0, rankingDistance)) : rankingDistance;

    /// <summary>
    /// Row <paramref name="row"/> as the blocked kernels read it: owned rows as compared, shared rows
    /// raw (scale their dot products by <see cref="DotScale"/>).
    /// </summary>
    public ReadOnlySpan<float> KernelRow(int row) => _rows is not null ? _rows[row] : _source!.Vector(_ids[row]);

    /// <summary>What a dot product with <see cref="KernelRow"/> is multiplied by (the inverse norm of a shared cosine row, else 1).</summary>
    public float DotScale(int row) => _rows is null && Metric == DistanceMetric.Cosine ? _inverseNorms[row] : 1f;

    /// <summary>Hints the processor to load the start of a row into cache (a no-op without SSE).</summary>
    public unsafe void Prefetch(int row)
    {
        if (!System.Runtime.Intrinsics.X86.Sse.IsSupported) return;
        var span = KernelRow(row);
        fixed (float* start = span)
        {
            System.Runtime.Intrinsics.X86.Sse.Prefetch0(start);
            System.Runtime.Intrinsics.X86.Sse.Prefetch0(start + 16);
        }
    }

    /// <summary>‖x‖² of a row as the blocked kernels read it (L2 stores; 0 otherwise).</summary>
    public float SquaredNorm(int row) => Metric == DistanceMetric.L2 ? _squaredNorms[row] : 0f;

    /// <summary>Writes ids and removal marks, and the rows themselves unless they are shared.</summary>
    public void WriteTo(BinaryWriter writer)
    {
        writer.Write(IsShared);
        writer.Write(RowCount);
        for (int row = 0; row < RowCount; row++)
        {
            writer.Write(_ids[row]);
            writer.Write(_removed[row]);
            if (_rows is not null) writer.Write(MemoryMarshal.AsBytes(_rows[row]));
            else if (Metric == DistanceMetric.Cosine) writer.Write(_inverseNorms[row]);
        }
    }

    /// <summary>Reads what <see cref="WriteTo"/> wrote; a shared store needs <paramref name="source"/> to hold its ids.</summary>
    public static VectorStore ReadFrom(BinaryReader reader, int dimension, DistanceMetric metric, IVectorSource? source)
    {
        bool shared = reader.ReadBoolean();
        if (shared && source is null)
            throw new LookalikeException("This index reads the vectors of a collection; open it through its collection.");
        var store = new VectorStore(dimension, metric, shared ? source : null);
        int rows = reader.ReadInt32();
        float[] row = new float[dimension];
        var bytes = MemoryMarshal.AsBytes(row.AsSpan());
        for (int i = 0; i < rows; i++)
        {
            long id = reader.ReadInt64();
            bool removed = reader.ReadBoolean();
            float? inverseNorm = null;
            if (!shared) reader.BaseStream.ReadExactly(bytes);
            else if (metric == DistanceMetric.Cosine) inverseNorm = reader.ReadSingle();
            if (shared && !removed && !source!.Contains(id))
                throw new LookalikeException($"The index names id {id}, which its collection does not hold; rebuild the index.");
            // Owned rows are stored as searched (already normalised for cosine): no second normalisation.
            store.Append(row, id, removed, inverseNorm, normalize: false);
        }
        return store;
    }

    private void Append(ReadOnlySpan<float> vector, long id, bool removed, float? inverseNorm, bool normalize = true)
    {
        if (_rows is not null)
        {
            int row = _rows.Append(vector);
            if (normalize && Metric == DistanceMetric.Cosine) Distances.Normalize(_rows.RowForWrite(row));
        }
        else if (Metric == DistanceMetric.Cosine)
        {
            float norm = inverseNorm is null ? TensorPrimitives.Norm(_source!.Vector(id)) : 0;
            _inverseNorms.Add(inverseNorm ?? (norm > 0 ? 1f / norm : 0f));
        }
        if (Metric == DistanceMetric.L2)
        {
            // A removed shared row may be gone from its source; it is never compared again.
            var stored = _rows is not null ? _rows[_rows.Count - 1] : removed && !_source!.Contains(id) ? [] : _source!.Vector(id);
            _squaredNorms.Add(VectorKernels.Dot(stored, stored));
        }
        _ids.Add(id);
        _removed.Add(removed);
        if (!removed) _rowOfId[id] = _ids.Count - 1;
    }
}
