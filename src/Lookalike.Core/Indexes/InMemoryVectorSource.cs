using Lookalike.Errors;

namespace Lookalike.Indexes;

/// <summary>An <see cref="IVectorSource"/> held in memory: vectors added with their ids, never removed.</summary>
/// <remarks>Reads are thread-safe; <see cref="Add"/> needs exclusive access.</remarks>
public sealed class InMemoryVectorSource : IVectorSource
{
    private readonly VectorRows _rows;
    private readonly Dictionary<long, int> _rowOfId = [];

    // While every id equals its row (ids 0, 1, 2, … added in order, as collections number images), lookups skip the dictionary.
    private bool _dense = true;

    /// <summary>Creates an empty source of <paramref name="dimension"/>-d vectors.</summary>
    public InMemoryVectorSource(int dimension) => _rows = new VectorRows(dimension);

    /// <inheritdoc/>
    public int Dimension => _rows.Dimension;

    /// <summary>Vectors held.</summary>
    public int Count => _rows.Count;

    /// <summary>Adds n vectors (n×d) with their ids; an id already present is an error.</summary>
    public void Add(ReadOnlySpan<float> vectors, ReadOnlySpan<long> ids)
    {
        int n = IndexArguments.CheckAdd(Dimension, vectors, ids);
        foreach (long id in ids)
        {
            if (_rowOfId.ContainsKey(id)) throw new LookalikeException($"Id {id} is already in the vector source.");
        }
        for (int i = 0; i < n; i++)
        {
            int row = _rows.Append(vectors.Slice(i * Dimension, Dimension));
            _rowOfId[ids[i]] = row;
            _dense &= ids[i] == row;
        }
    }

    /// <inheritdoc/>
    public bool Contains(long id) => _dense ? (ulong)id < (ulong)_rows.Count : _rowOfId.ContainsKey(id);

    /// <inheritdoc/>
    public ReadOnlySpan<float> Vector(long id)
    {
        if (_dense && (ulong)id < (ulong)_rows.Count) return _rows[(int)id];
        return _rowOfId.TryGetValue(id, out int row)
            ? _rows[row]
            : throw new LookalikeException($"The vector source holds no vector with id {id}.");
    }
}
