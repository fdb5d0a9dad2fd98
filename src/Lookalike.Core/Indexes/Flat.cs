using Lookalike.Errors;

namespace Lookalike.Indexes;

/// <summary>
/// Exact sequential scan: every query is compared with every stored vector. The reference that
/// approximate indexes are measured against (hnswlib's bruteforce.h plays the same role).
/// </summary>
/// <remarks>
/// Concurrent <see cref="Search"/> calls are safe; <see cref="Add"/> and <see cref="Remove"/> need exclusive access.
/// For <see cref="DistanceMetric.Cosine"/> vectors are stored L2-normalised.
/// </remarks>
public sealed class Flat : IVectorIndex
{
    /// <summary>The type name in specs and serialized files.</summary>
    public const string TypeName = "Flat";

    private readonly VectorRows _rows;
    private readonly List<long> _ids = [];
    private readonly List<bool> _removed = [];
    private readonly Dictionary<long, int> _rowOfId = [];

    /// <summary>Creates an empty exact index.</summary>
    public Flat(int dimension, DistanceMetric metric)
    {
        if (dimension <= 0) throw new LookalikeException($"Index dimension must be positive (was {dimension}).");
        _rows = new VectorRows(dimension);
        Metric = metric;
    }

    /// <inheritdoc/>
    public int Dimension => _rows.Dimension;

    /// <inheritdoc/>
    public long Count => _rowOfId.Count;

    /// <inheritdoc/>
    public DistanceMetric Metric { get; }

    /// <inheritdoc/>
    public bool IsTrained => true;

    /// <inheritdoc/>
    public string Spec => TypeName;

    /// <inheritdoc/>
    public void Train(ReadOnlySpan<float> vectors) => IndexArguments.RowCount(vectors, Dimension, "the training vectors");

    /// <inheritdoc/>
    public void Add(ReadOnlySpan<float> vectors, ReadOnlySpan<long> ids)
    {
        int n = IndexArguments.CheckAdd(Dimension, vectors, ids);
        for (int i = 0; i < n; i++)
        {
            if (_rowOfId.ContainsKey(ids[i]))
                throw new LookalikeException($"Id {ids[i]} is already in the index; remove it first or use a new id.");
        }
        for (int i = 0; i < n; i++)
        {
            int row = AppendRow(vectors.Slice(i * Dimension, Dimension), ids[i], removed: false);
            if (Metric == DistanceMetric.Cosine) Distances.Normalize(_rows.RowForWrite(row));
        }
    }

    private int AppendRow(ReadOnlySpan<float> vector, long id, bool removed)
    {
        int row = _rows.Append(vector);
        _ids.Add(id);
        _removed.Add(removed);
        if (!removed) _rowOfId[id] = row;
        return row;
    }

    /// <inheritdoc/>
    public void Remove(ReadOnlySpan<long> ids)
    {
        foreach (long id in ids)
        {
            if (_rowOfId.Remove(id, out int row)) _removed[row] = true;
        }
    }

    /// <inheritdoc/>
    public SearchStats Search(ReadOnlySpan<float> queries, int k, Span<float> distances, Span<long> ids,
        SearchParameters? parameters = null)
    {
        int n = IndexArguments.CheckSearch(Dimension, queries, k, distances, ids);
        float[] queryCopy = queries.ToArray();
        float[] outDistances = new float[n * k];
        long[] outIds = new long[n * k];
        Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = n == 1 ? 1 : -1 },
            () => new TopK(k),
            (q, _, top) =>
            {
                SearchOne(queryCopy.AsSpan(q * Dimension, Dimension), ref top);
                top.DrainSorted(outDistances.AsSpan(q * k, k), outIds.AsSpan(q * k, k));
                return top;
            },
            _ => { });
        outDistances.CopyTo(distances);
        outIds.CopyTo(ids);
        long live = Count;
        return new SearchStats(n, live * n, live * n);
    }

    private void SearchOne(ReadOnlySpan<float> query, ref TopK top)
    {
        if (Metric == DistanceMetric.Cosine)
        {
            float[] normalized = query.ToArray();
            Distances.Normalize(normalized);
            query = normalized;
        }
        for (int row = 0; row < _rows.Count; row++)
        {
            if (_removed[row]) continue;
            top.Offer(Distances.Compute(Metric, query, _rows[row]), _ids[row]);
        }
    }

    /// <inheritdoc/>
    public void WriteTo(BinaryWriter writer)
    {
        writer.Write(_rows.Count);
        for (int row = 0; row < _rows.Count; row++)
        {
            writer.Write(_ids[row]);
            writer.Write(_removed[row]);
            writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_rows[row]));
        }
    }

    /// <summary>Reads what <see cref="WriteTo"/> wrote.</summary>
    internal static Flat ReadFrom(BinaryReader reader, int dimension, DistanceMetric metric)
    {
        var index = new Flat(dimension, metric);
        int rows = reader.ReadInt32();
        float[] row = new float[dimension];
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(row.AsSpan());
        for (int i = 0; i < rows; i++)
        {
            long id = reader.ReadInt64();
            bool removed = reader.ReadBoolean();
            reader.BaseStream.ReadExactly(bytes);
            // Rows are stored as searched (already normalised for cosine): no second normalisation.
            index.AppendRow(row, id, removed);
        }
        return index;
    }

    /// <inheritdoc/>
    public void Dispose() { }
}
