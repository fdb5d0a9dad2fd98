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

    private readonly VectorStore _store;

    /// <summary>Creates an empty exact index.</summary>
    public Flat(int dimension, DistanceMetric metric) : this(new VectorStore(dimension, metric)) { }

    private Flat(VectorStore store) => _store = store;

    /// <inheritdoc/>
    public int Dimension => _store.Dimension;

    /// <inheritdoc/>
    public long Count => _store.Count;

    /// <inheritdoc/>
    public DistanceMetric Metric => _store.Metric;

    /// <inheritdoc/>
    public bool IsTrained => true;

    /// <inheritdoc/>
    public string Spec => TypeName;

    /// <inheritdoc/>
    public void Train(ReadOnlySpan<float> vectors) => IndexArguments.RowCount(vectors, Dimension, "the training vectors");

    /// <inheritdoc/>
    public void Add(ReadOnlySpan<float> vectors, ReadOnlySpan<long> ids) => _store.Add(vectors, ids);

    /// <inheritdoc/>
    public void Remove(ReadOnlySpan<long> ids) => _store.Remove(ids);

    /// <inheritdoc/>
    public SearchStats Search(ReadOnlySpan<float> queries, int k, Span<float> distances, Span<long> ids,
        SearchParameters? parameters = null)
    {
        long live = Count;
        return ParallelSearch.Run(Dimension, queries, k, distances, ids, (query, top) =>
        {
            var prepared = _store.PrepareQuery(query);
            for (int row = 0; row < _store.RowCount; row++)
            {
                if (!_store.IsRemoved(row)) top.Offer(_store.Distance(prepared, row), _store.IdOf(row));
            }
            return (live, live);
        });
    }

    /// <inheritdoc/>
    public void WriteTo(BinaryWriter writer) => _store.WriteTo(writer);

    /// <summary>Reads what <see cref="WriteTo"/> wrote.</summary>
    internal static Flat ReadFrom(BinaryReader reader, int dimension, DistanceMetric metric) =>
        new(VectorStore.ReadFrom(reader, dimension, metric));

    /// <inheritdoc/>
    public void Dispose() { }
}
