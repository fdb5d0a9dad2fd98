namespace Lookalike.Indexes;

/// <summary>
/// Vectors an index reads instead of keeping its own copy: a collection's vector storage (a
/// memory-mapped <c>vectors.f32</c>) or an in-memory set. Looked up by id.
/// </summary>
/// <remarks>
/// Reads must be safe from many threads. The owner keeps every id an index holds readable for as
/// long as the index is used (a collection drops its indexes before it forgets rows).
/// </remarks>
public interface IVectorSource
{
    /// <summary>Components per vector.</summary>
    int Dimension { get; }

    /// <summary>Whether a vector with <paramref name="id"/> can be read.</summary>
    bool Contains(long id);

    /// <summary>The vector of <paramref name="id"/> as stored (not normalised).</summary>
    ReadOnlySpan<float> Vector(long id);
}
