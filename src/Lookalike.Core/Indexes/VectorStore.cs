using System.Runtime.InteropServices;
using Lookalike.Errors;

namespace Lookalike.Indexes;

/// <summary>
/// The vectors of an index, stored once: rows (L2-normalised for cosine), their ids, removal marks,
/// and the exact distance kernel. <see cref="Flat"/> scans it whole; hashing and clustering indexes
/// rank their candidate rows with it.
/// </summary>
/// <remarks>Reads are thread-safe; <see cref="Add"/> and <see cref="Remove"/> need exclusive access.</remarks>
public sealed class VectorStore
{
    private readonly VectorRows _rows;
    private readonly List<long> _ids = [];
    private readonly List<bool> _removed = [];
    private readonly Dictionary<long, int> _rowOfId = [];

    /// <summary>Creates an empty store.</summary>
    public VectorStore(int dimension, DistanceMetric metric)
    {
        if (dimension <= 0) throw new LookalikeException($"Index dimension must be positive (was {dimension}).");
        _rows = new VectorRows(dimension);
        Metric = metric;
    }

    /// <summary>Components per vector.</summary>
    public int Dimension => _rows.Dimension;

    /// <summary>Metric of <see cref="Distance"/>.</summary>
    public DistanceMetric Metric { get; }

    /// <summary>Live vectors.</summary>
    public long Count => _rowOfId.Count;

    /// <summary>Rows ever stored, removed ones included.</summary>
    public int RowCount => _rows.Count;

    /// <summary>Stored row (normalised for cosine).</summary>
    public ReadOnlySpan<float> Row(int row) => _rows[row];

    /// <summary>Id of a row.</summary>
    public long IdOf(int row) => _ids[row];

    /// <summary>Whether a row was removed.</summary>
    public bool IsRemoved(int row) => _removed[row];

    /// <summary>Adds vectors; returns the row number of the first one.</summary>
    public int Add(ReadOnlySpan<float> vectors, ReadOnlySpan<long> ids)
    {
        int n = IndexArguments.CheckAdd(Dimension, vectors, ids);
        var fresh = new HashSet<long>();
        foreach (long id in ids)
        {
            if (_rowOfId.ContainsKey(id) || !fresh.Add(id))
                throw new LookalikeException($"Id {id} is already in the index; remove it first or use a new id.");
        }
        int first = _rows.Count;
        for (int i = 0; i < n; i++)
        {
            int row = Append(vectors.Slice(i * Dimension, Dimension), ids[i], removed: false);
            if (Metric == DistanceMetric.Cosine) Distances.Normalize(_rows.RowForWrite(row));
        }
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

    /// <summary>The query as stored rows are (a normalised copy for cosine).</summary>
    public ReadOnlySpan<float> PrepareQuery(ReadOnlySpan<float> query)
    {
        if (Metric != DistanceMetric.Cosine) return query;
        float[] normalized = query.ToArray();
        Distances.Normalize(normalized);
        return normalized;
    }

    /// <summary>Distance from a prepared query to a stored row.</summary>
    public float Distance(ReadOnlySpan<float> preparedQuery, int row) => Distances.Compute(Metric, preparedQuery, _rows[row]);

    /// <summary>Writes rows, ids and removal marks.</summary>
    public void WriteTo(BinaryWriter writer)
    {
        writer.Write(_rows.Count);
        for (int row = 0; row < _rows.Count; row++)
        {
            writer.Write(_ids[row]);
            writer.Write(_removed[row]);
            writer.Write(MemoryMarshal.AsBytes(_rows[row]));
        }
    }

    /// <summary>Reads what <see cref="WriteTo"/> wrote.</summary>
    public static VectorStore ReadFrom(BinaryReader reader, int dimension, DistanceMetric metric)
    {
        var store = new VectorStore(dimension, metric);
        int rows = reader.ReadInt32();
        float[] row = new float[dimension];
        var bytes = MemoryMarshal.AsBytes(row.AsSpan());
        for (int i = 0; i < rows; i++)
        {
            long id = reader.ReadInt64();
            bool removed = reader.ReadBoolean();
            reader.BaseStream.ReadExactly(bytes);
            // Rows are stored as searched (already normalised for cosine): no second normalisation.
            store.Append(row, id, removed);
        }
        return store;
    }

    private int Append(ReadOnlySpan<float> vector, long id, bool removed)
    {
        int row = _rows.Append(vector);
        _ids.Add(id);
        _removed.Add(removed);
        if (!removed) _rowOfId[id] = row;
        return row;
    }
}
