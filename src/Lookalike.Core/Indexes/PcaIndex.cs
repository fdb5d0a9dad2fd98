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

    /// <summary>Wraps <paramref name="inner"/> (of dimension <see cref="PcaOptions.Dims"/>) behind a projection from <paramref name="dimension"/>.</summary>
    public PcaIndex(int dimension, DistanceMetric metric, PcaOptions options, IVectorIndex inner)
    {
        if (options.Dims < 1 || options.Dims > dimension) throw new LookalikeException($"Pca dims must be 1..{dimension} (was {options.Dims}).");
        if (inner.Dimension != options.Dims) throw new LookalikeException($"The index after Pca({options.Dims}) must take {options.Dims}-d vectors.");
        Dimension = dimension;
        Metric = metric;
        Options = options;
        _inner = inner;
    }

    /// <summary>The parameters.</summary>
    public PcaOptions Options { get; }

    /// <inheritdoc/>
    public int Dimension { get; }

    private int Dims => Options.Dims;

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
    public string Spec => $"{Options.ToSpec()},{_inner.Spec}";

    /// <inheritdoc/>
    public void Train(ReadOnlySpan<float> vectors)
    {
        IndexArguments.RowCount(vectors, Dimension, "the training vectors");
        var prepared = Prepare(vectors);
        _pca = Pca.Fit(prepared, Dimension, Dims, Options.Seed, centre: Metric == DistanceMetric.L2);
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
    public IVectorIndex CloneEmpty() => new PcaIndex(Dimension, Metric, Options, _inner.CloneEmpty()) { _pca = _pca };

    /// <inheritdoc/>
    public void WriteTo(BinaryWriter writer)
    {
        writer.Write(Options.ToSpec());
        writer.Write(_pca is not null);
        _pca?.WriteTo(writer);
        writer.Flush();
        IndexRegistry.Save(_inner, writer.BaseStream);
    }

    /// <summary>Reads what <see cref="WriteTo"/> wrote (the inner index through the same registry).</summary>
    internal static PcaIndex ReadFrom(BinaryReader reader, IndexReading reading)
    {
        var options = PcaOptions.Parse(IndexSpecComponent.ParseChain(reader.ReadString())[0]);
        var pca = reader.ReadBoolean() ? Pca.ReadFrom(reader) : null;
        var inner = reading.Registry.Load(reader.BaseStream);
        return new PcaIndex(reading.Dimension, reading.Metric, options, inner) { _pca = pca };
    }

    /// <inheritdoc/>
    public void Dispose() => _inner.Dispose();

    private float[] Project(ReadOnlySpan<float> vectors) =>
        (_pca ?? throw new LookalikeException("Train the Pca index before adding or searching.")).Transform(Prepare(vectors));

    private float[] Prepare(ReadOnlySpan<float> vectors) => Distances.Prepared(vectors, Dimension, Metric);
}

/// <summary>Parameters of <see cref="PcaIndex"/>, with their defaults.</summary>
public sealed record PcaOptions
{
    /// <summary>Output dimension of the projection.</summary>
    public int Dims { get; init; } = 64;

    /// <summary>Seed of the training sample.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Reads a spec component (absent parameters keep their defaults).</summary>
    public static PcaOptions Parse(IndexSpecComponent component)
    {
        component.RejectUnknown("dims", "seed");
        var d = new PcaOptions();
        return new PcaOptions { Dims = component.GetInt("dims", d.Dims), Seed = component.GetInt("seed", d.Seed) };
    }

    /// <summary>The spec of the projection alone.</summary>
    public string ToSpec() => string.Create(CultureInfo.InvariantCulture, $"{PcaIndex.TypeName}(dims={Dims},seed={Seed})");
}

/// <summary>The <see cref="PcaIndex"/> type: wraps whatever index the rest of the chain names (which may itself be a chain).</summary>
public sealed class PcaDescriptor : IIndexDescriptor
{
    /// <inheritdoc/>
    public string Name => PcaIndex.TypeName;

    /// <inheritdoc/>
    public IVectorIndex Create(IndexCreation creation)
    {
        var options = PcaOptions.Parse(creation.Component);
        if (options.Dims < 1 || options.Dims > creation.Dimension)
            throw new LookalikeException($"Index spec: Pca dims must be 1..{creation.Dimension} (was {options.Dims}).");
        if (creation.Inner.Count == 0)
            throw new LookalikeException("Pca needs an index after it, e.g. PCA64,IVF256 or Pca(dims=64),Flat.");
        // The inner index keeps its own (projected) rows: the shared vectors have the input's dimension.
        var inner = creation.Registry.Create(options.Dims, creation.Inner, creation.Metric, vectors: null);
        return new PcaIndex(creation.Dimension, creation.Metric, options, inner);
    }

    /// <inheritdoc/>
    public IVectorIndex Read(BinaryReader reader, IndexReading reading) => PcaIndex.ReadFrom(reader, reading with { Vectors = null });
}
