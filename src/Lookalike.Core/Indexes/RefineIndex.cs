using System.Globalization;
using Lookalike.Errors;

namespace Lookalike.Indexes;

/// <summary>
/// Re-ranks another index's candidates by exact distance on the full vectors (faiss's
/// IndexRefineFlat): <c>Refine(rerank=100),Pca(dims=64),Ivf(lists=256)</c> asks the Pca chain for
/// the 100 best by projected distance and returns the k nearest of them in the original space.
/// The full vectors are kept once (shared with a collection, or its own copy). Search parameters
/// (nprobe, efSearch, a filter) go to the inner index; the filter applies to the re-ranked results too.
/// </summary>
public sealed class RefineIndex : IVectorIndex
{
    /// <summary>The type name in specs and serialized files.</summary>
    public const string TypeName = "Refine";

    private readonly VectorStore _store;
    private readonly IVectorIndex _inner;

    /// <summary>Wraps <paramref name="inner"/>, keeping the full vectors in <paramref name="store"/>.</summary>
    public RefineIndex(VectorStore store, RefineOptions options, IVectorIndex inner)
    {
        options.Validate();
        if (inner.Dimension != store.Dimension || inner.Metric != store.Metric)
            throw new LookalikeException("Refine wraps an index of the same dimension and metric.");
        _store = store;
        Options = options;
        _inner = inner;
    }

    /// <summary>The parameters.</summary>
    public RefineOptions Options { get; }

    /// <summary>The index whose candidates are re-ranked.</summary>
    public IVectorIndex Inner => _inner;

    /// <inheritdoc/>
    public int Dimension => _store.Dimension;

    /// <inheritdoc/>
    public long Count => _store.Count;

    /// <inheritdoc/>
    public DistanceMetric Metric => _store.Metric;

    /// <inheritdoc/>
    public bool IsTrained => _inner.IsTrained;

    /// <inheritdoc/>
    public string Spec => $"{Options.ToSpec()},{_inner.Spec}";

    /// <inheritdoc/>
    public void Train(ReadOnlySpan<float> vectors) => _inner.Train(vectors);

    /// <inheritdoc/>
    public void Add(ReadOnlySpan<float> vectors, ReadOnlySpan<long> ids)
    {
        _inner.Add(vectors, ids);
        _store.Add(vectors, ids);
    }

    /// <inheritdoc/>
    public void Remove(ReadOnlySpan<long> ids)
    {
        _inner.Remove(ids);
        _store.Remove(ids);
    }

    /// <inheritdoc/>
    public SearchStats Search(ReadOnlySpan<float> queries, int k, Span<float> distances, Span<long> ids, SearchParameters? parameters = null)
    {
        int n = IndexArguments.CheckSearch(Dimension, queries, k, distances, ids);
        int fetched = Math.Max(k, Options.Rerank);
        var candidateDistances = new float[n * fetched];
        var candidates = new long[n * fetched];
        var inner = _inner.Search(queries, fetched, candidateDistances, candidates, parameters);
        long reranked = 0;
        var buffer = new float[Dimension];
        for (int q = 0; q < n; q++)
        {
            var top = new TopKCollector(k, parameters?.Filter);
            var prepared = _store.PrepareQuery(queries.Slice(q * Dimension, Dimension), buffer);
            foreach (long id in candidates.AsSpan(q * fetched, fetched))
            {
                if (id < 0 || !_store.TryGetRow(id, out int row)) continue;
                top.Offer(_store.RankingDistance(prepared, row), id);
                reranked++;
            }
            top.DrainSorted(distances.Slice(q * k, k), ids.Slice(q * k, k), squareRoot: Metric == DistanceMetric.L2);
        }
        return new SearchStats(n, inner.CandidatesVisited, inner.DistancesComputed + reranked);
    }

    /// <inheritdoc/>
    public IVectorIndex CloneEmpty() => new RefineIndex(_store.CloneEmpty(), Options, _inner.CloneEmpty());

    /// <inheritdoc/>
    public void WriteTo(BinaryWriter writer)
    {
        writer.Write(Options.ToSpec());
        _store.WriteTo(writer);
        writer.Flush();
        IndexRegistry.Save(_inner, writer.BaseStream);
    }

    /// <summary>Reads what <see cref="WriteTo"/> wrote (the inner index through the same registry, over the same vectors).</summary>
    internal static RefineIndex ReadFrom(BinaryReader reader, IndexReading reading)
    {
        var options = RefineOptions.Parse(IndexSpecComponent.ParseChain(reader.ReadString())[0]);
        var store = VectorStore.ReadFrom(reader, reading.Dimension, reading.Metric, reading.Vectors);
        var inner = reading.Registry.Load(reader.BaseStream, reading.Vectors);
        return new RefineIndex(store, options, inner);
    }

    /// <inheritdoc/>
    public void Dispose() => _inner.Dispose();
}

/// <summary>Parameters of <see cref="RefineIndex"/>, with their defaults.</summary>
public sealed record RefineOptions
{
    /// <summary>Candidates fetched from the inner index and re-ranked (at least k are).</summary>
    public int Rerank { get; init; } = 64;

    /// <summary>Reads a spec component (absent parameters keep their defaults).</summary>
    public static RefineOptions Parse(IndexSpecComponent component)
    {
        component.RejectUnknown("rerank");
        return new RefineOptions { Rerank = component.GetInt("rerank", new RefineOptions().Rerank) };
    }

    /// <summary>The spec of the re-ranking alone.</summary>
    public string ToSpec() => string.Create(CultureInfo.InvariantCulture, $"{RefineIndex.TypeName}(rerank={Rerank})");

    /// <summary>Throws for values out of range.</summary>
    public void Validate()
    {
        if (Rerank < 1 || Rerank > 100_000) throw new LookalikeException($"Refine rerank must be 1..100000 (was {Rerank}).");
    }
}

/// <summary>The <see cref="RefineIndex"/> type: wraps whatever index the rest of the chain names.</summary>
public sealed class RefineDescriptor : IIndexDescriptor
{
    /// <inheritdoc/>
    public string Name => RefineIndex.TypeName;

    /// <inheritdoc/>
    public IVectorIndex Create(IndexCreation creation)
    {
        var options = RefineOptions.Parse(creation.Component);
        if (creation.Inner.Count == 0)
            throw new LookalikeException("Refine needs an index after it, e.g. Refine(rerank=100),PCA64,IVF256.");
        var inner = creation.Registry.Create(creation.Dimension, creation.Inner, creation.Metric, creation.Vectors);
        return new RefineIndex(new VectorStore(creation.Dimension, creation.Metric, creation.Vectors), options, inner);
    }

    /// <inheritdoc/>
    public IVectorIndex Read(BinaryReader reader, IndexReading reading) => RefineIndex.ReadFrom(reader, reading);
}
