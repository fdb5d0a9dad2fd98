using System.Globalization;
using Lookalike.Errors;
using Lookalike.Transforms;

namespace Lookalike.Indexes;

/// <summary>
/// PCA in front of any index (faiss's <c>"PCA64,IVF256"</c>): training fits the projection and then
/// trains the inner index on projected vectors; adds and queries are projected the same way.
/// Distances are those of the projected space. Cosine collections are L2-normalised and projected
/// without centring (truncated SVD), so that with every axis kept the angles are unchanged.
/// </summary>
public sealed class PcaIndex : IVectorIndex
{
    /// <summary>The type name in specs and serialized files.</summary>
    public const string TypeName = "Pca";

    private readonly IVectorIndex _inner;
    private Pca? _pca;

    /// <summary>Wraps <paramref name="inner"/> (of dimension <paramref name="dims"/>) behind a projection from <paramref name="dimension"/>.</summary>
    public PcaIndex(int dimension, DistanceMetric metric, int dims, IVectorIndex inner, int seed = 42)
    {
        if (dims < 1 || dims > dimension) throw new LookalikeException($"Pca dims must be 1..{dimension} (was {dims}).");
        if (inner.Dimension != dims) throw new LookalikeException($"The index after Pca({dims}) must take {dims}-d vectors.");
        Dimension = dimension;
        Metric = metric;
        Dims = dims;
        Seed = seed;
        _inner = inner;
    }

    /// <inheritdoc/>
    public int Dimension { get; }

    /// <summary>Output dimension of the projection.</summary>
    public int Dims { get; }

    /// <summary>Seed of the training sample.</summary>
    public int Seed { get; }

    /// <summary>The fitted projection (null before training).</summary>
    public Pca? Projection => _pca;

    /// <summary>The index over projected vectors.</summary>
    public IVectorIndex Inner => _inner;

    /// <inheritdoc/>
    public long Count => _inner.Count;

    /// <inheritdoc/>
    public DistanceMetric Metric { get; }

    /// <inheritdoc/>
    public bool IsTrained => _pca is not null && _inner.IsTrained;

    /// <inheritdoc/>
    public string Spec => string.Create(CultureInfo.InvariantCulture, $"{TypeName}(dims={Dims},seed={Seed}),{_inner.Spec}");

    /// <inheritdoc/>
    public void Train(ReadOnlySpan<float> vectors)
    {
        IndexArguments.RowCount(vectors, Dimension, "the training vectors");
        var prepared = Prepare(vectors);
        _pca = Pca.Fit(prepared, Dimension, Dims, Seed, centre: Metric == DistanceMetric.L2);
        var projected = _pca.Transform(prepared);
        if (!_inner.IsTrained) _inner.Train(projected);
    }

    /// <inheritdoc/>
    public void Add(ReadOnlySpan<float> vectors, ReadOnlySpan<long> ids)
    {
        IndexArguments.CheckAdd(Dimension, vectors, ids);
        _inner.Add(Project(vectors), ids);
    }

    /// <inheritdoc/>
    public void Remove(ReadOnlySpan<long> ids) => _inner.Remove(ids);

    /// <inheritdoc/>
    public SearchStats Search(ReadOnlySpan<float> queries, int k, Span<float> distances, Span<long> ids, SearchParameters? parameters = null)
    {
        IndexArguments.CheckSearch(Dimension, queries, k, distances, ids);
        return _inner.Search(Project(queries), k, distances, ids, parameters);
    }

    /// <inheritdoc/>
    public void WriteTo(BinaryWriter writer)
    {
        writer.Write(Dims);
        writer.Write(Seed);
        writer.Write(_pca is not null);
        _pca?.WriteTo(writer);
        writer.Flush();
        IndexSerializer.Save(_inner, writer.BaseStream);
    }

    /// <summary>Reads what <see cref="WriteTo"/> wrote.</summary>
    internal static PcaIndex ReadFrom(BinaryReader reader, int dimension, DistanceMetric metric)
    {
        int dims = reader.ReadInt32(), seed = reader.ReadInt32();
        var pca = reader.ReadBoolean() ? Pca.ReadFrom(reader) : null;
        var inner = IndexSerializer.Load(reader.BaseStream);
        return new PcaIndex(dimension, metric, dims, inner, seed) { _pca = pca };
    }

    /// <inheritdoc/>
    public void Dispose() => _inner.Dispose();

    private float[] Project(ReadOnlySpan<float> vectors) =>
        (_pca ?? throw new LookalikeException("Train the Pca index before adding or searching.")).Transform(Prepare(vectors));

    private float[] Prepare(ReadOnlySpan<float> vectors) => Distances.Prepared(vectors, Dimension, Metric);
}
