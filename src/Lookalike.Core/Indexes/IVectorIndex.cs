namespace Lookalike.Indexes;

/// <summary>
/// A searchable set of vectors with 64-bit ids. Vectors are row-major n×d float matrices:
/// component j of vector i is x[i*d + j].
/// </summary>
/// <remarks>
/// Life cycle: <see cref="Train"/> (a no-op for exact indexes) → <see cref="Add"/> → <see cref="Search"/>.
/// <see cref="Remove"/> marks ids deleted. Implementations allow concurrent <see cref="Search"/> calls,
/// but mutations (<see cref="Train"/>, <see cref="Add"/>, <see cref="Remove"/>) need exclusive access.
/// </remarks>
public interface IVectorIndex : IDisposable
{
    /// <summary>Vector dimension d.</summary>
    int Dimension { get; }

    /// <summary>Number of live (not removed) vectors.</summary>
    long Count { get; }

    /// <summary>The metric distances are reported in.</summary>
    DistanceMetric Metric { get; }

    /// <summary>Whether <see cref="Add"/> may be called.</summary>
    bool IsTrained { get; }

    /// <summary>The spec string that recreates this index through <see cref="IndexRegistry.Create(int, string, DistanceMetric, IVectorSource?)"/>.</summary>
    string Spec { get; }

    /// <summary>Learns whatever the index needs from sample vectors (n×d).</summary>
    void Train(ReadOnlySpan<float> vectors);

    /// <summary>Adds n vectors (n×d) with their ids (n); an id already present is an error.</summary>
    void Add(ReadOnlySpan<float> vectors, ReadOnlySpan<long> ids);

    /// <summary>Removes ids; unknown ids are ignored.</summary>
    void Remove(ReadOnlySpan<long> ids);

    /// <summary>
    /// Finds the k nearest stored vectors of each of the n queries (n×d). Writes n×k distances and
    /// ids, best first; where fewer than k vectors exist the rest are id −1, distance +∞.
    /// </summary>
    /// <returns>How many candidates were visited and distances computed.</returns>
    SearchStats Search(ReadOnlySpan<float> queries, int k, Span<float> distances, Span<long> ids,
        SearchParameters? parameters = null);

    /// <summary>
    /// A new index with this one's parameters and trained state (projections, centroids, networks)
    /// but no vectors, keeping its own rows: one trained quantizer copied to many shards.
    /// </summary>
    IVectorIndex CloneEmpty();

    /// <summary>Writes the index's state (after the registry's header).</summary>
    void WriteTo(BinaryWriter writer);
}
