namespace Lookalike.Indexes;

/// <summary>
/// Growable row-major storage of fixed-size float vectors, kept in chunks so growing never copies
/// the rows already stored (a 50k×2048 database is 400 MB).
/// </summary>
/// <remarks>Appending needs exclusive access; reading rows is safe from many threads.</remarks>
public sealed class VectorRows
{
    private const int ChunkBytes = 16 << 20;
    private readonly List<float[]> _chunks = [];
    private readonly int _rowsPerChunk;
    private readonly int _chunkShift;

    /// <summary>Creates empty storage for vectors of <paramref name="dimension"/> components.</summary>
    public VectorRows(int dimension)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        Dimension = dimension;
        // A power of two, so that finding a row is a shift and a mask (graph walks look rows up at random).
        _chunkShift = Math.Max(0, System.Numerics.BitOperations.Log2((uint)Math.Max(1, ChunkBytes / (dimension * sizeof(float)))));
        _rowsPerChunk = 1 << _chunkShift;
    }

    /// <summary>Components per row.</summary>
    public int Dimension { get; }

    /// <summary>Rows stored.</summary>
    public int Count { get; private set; }

    /// <summary>Row <paramref name="row"/> as a span.</summary>
    public ReadOnlySpan<float> this[int row] =>
        _chunks[row >> _chunkShift].AsSpan((row & (_rowsPerChunk - 1)) * Dimension, Dimension);

    /// <summary>Appends one row and returns its number.</summary>
    public int Append(ReadOnlySpan<float> row)
    {
        if (Count == _chunks.Count * _rowsPerChunk)
            _chunks.Add(new float[_rowsPerChunk * Dimension]);
        row.CopyTo(_chunks[Count / _rowsPerChunk].AsSpan(Count % _rowsPerChunk * Dimension, Dimension));
        return Count++;
    }

    /// <summary>Mutable view of a stored row (for in-place normalisation).</summary>
    internal Span<float> RowForWrite(int row) =>
        _chunks[row >> _chunkShift].AsSpan((row & (_rowsPerChunk - 1)) * Dimension, Dimension);
}
