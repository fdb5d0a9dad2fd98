namespace Lookalike.Indexes;

/// <summary>
/// Exact sequential scan: every query is compared with every stored vector. The reference that
/// approximate indexes are measured against (hnswlib's bruteforce.h plays the same role), computed
/// by <see cref="ExactScan"/> as blocked matrix products.
/// </summary>
/// <remarks>
/// Concurrent <see cref="Search"/> calls are safe; <see cref="Add"/> and <see cref="Remove"/> need exclusive access.
/// For <see cref="DistanceMetric.Cosine"/> vectors are stored L2-normalised.
/// </remarks>
public sealed class Flat : StoredVectorIndex
{
    /// <summary>The type name in specs and serialized files.</summary>
    public const string TypeName = "Flat";

    /// <summary>Creates an empty exact index, reading rows from <paramref name="vectors"/> when given.</summary>
    public Flat(int dimension, DistanceMetric metric, IVectorSource? vectors = null) : this(new VectorStore(dimension, metric, vectors)) { }

    private Flat(VectorStore store) : base(store) { }

    /// <inheritdoc/>
    public override string Spec => TypeName;

    /// <summary>Whether <paramref name="spec"/> names the exact scan (one component called Flat).</summary>
    public static bool IsSpec(string spec) =>
        IndexSpecComponent.ParseChain(spec) is [var only] && only.Name.Equals(TypeName, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public override void Add(ReadOnlySpan<float> vectors, ReadOnlySpan<long> ids) => Store.Add(vectors, ids);

    /// <inheritdoc/>
    public override void Remove(ReadOnlySpan<long> ids) => Store.Remove(ids);

    /// <inheritdoc/>
    public override SearchStats Search(ReadOnlySpan<float> queries, int k, Span<float> distances, Span<long> ids,
        SearchParameters? parameters = null) =>
        ExactScan.Search(Store, queries, k, distances, ids, parameters);

    /// <inheritdoc/>
    public override IVectorIndex CloneEmpty() => new Flat(Dimension, Metric);

    /// <inheritdoc/>
    public override void WriteTo(BinaryWriter writer) => Store.WriteTo(writer);

    /// <summary>Reads what <see cref="WriteTo"/> wrote.</summary>
    internal static Flat ReadFrom(BinaryReader reader, IndexReading reading) =>
        new(VectorStore.ReadFrom(reader, reading.Dimension, reading.Metric, reading.Vectors));
}

/// <summary>The <see cref="Flat"/> type: no parameters.</summary>
public sealed class FlatDescriptor : IIndexDescriptor
{
    /// <inheritdoc/>
    public string Name => Flat.TypeName;

    /// <inheritdoc/>
    public IVectorIndex Create(IndexCreation creation)
    {
        creation.Component.RejectUnknown();
        creation.RejectInner();
        return new Flat(creation.Dimension, creation.Metric, creation.Vectors);
    }

    /// <inheritdoc/>
    public IVectorIndex Read(BinaryReader reader, IndexReading reading) => Flat.ReadFrom(reader, reading);
}
