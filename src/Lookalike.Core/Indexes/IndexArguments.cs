using Lookalike.Errors;

namespace Lookalike.Indexes;

/// <summary>Boundary checks shared by every index, so all report bad input the same way.</summary>
public static class IndexArguments
{
    /// <summary>Returns the number of rows in <paramref name="vectors"/>, or throws when its length is not a multiple of d.</summary>
    public static int RowCount(ReadOnlySpan<float> vectors, int dimension, string what)
    {
        if (vectors.Length % dimension != 0)
            throw new LookalikeException(
                $"Dimension mismatch: {what} hold {vectors.Length} floats, which is not a whole number of {dimension}-d vectors (the index dimension is {dimension}).");
        return vectors.Length / dimension;
    }

    /// <summary>Checks the shapes of a search call and returns the number of queries.</summary>
    public static int CheckSearch(int dimension, ReadOnlySpan<float> queries, int k, Span<float> distances, Span<long> ids)
    {
        if (k <= 0) throw new LookalikeException($"k must be at least 1 (was {k}).");
        int n = RowCount(queries, dimension, "the queries");
        if (distances.Length < n * k || ids.Length < n * k)
            throw new ArgumentException($"Result buffers need room for {n}×{k} entries.");
        return n;
    }

    /// <summary>Checks that ids match the number of vectors and returns it.</summary>
    public static int CheckAdd(int dimension, ReadOnlySpan<float> vectors, ReadOnlySpan<long> ids)
    {
        int n = RowCount(vectors, dimension, "the vectors to add");
        if (ids.Length != n)
            throw new LookalikeException($"Got {n} vectors but {ids.Length} ids; give one id per vector.");
        return n;
    }
}
