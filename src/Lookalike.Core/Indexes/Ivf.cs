using System.Globalization;
using System.Runtime.InteropServices;
using Lookalike.Clustering;
using Lookalike.Errors;

namespace Lookalike.Indexes;

/// <summary>IVF search knobs.</summary>
public sealed class IvfSearchParameters : SearchParameters
{
    /// <summary>Lists probed per query; null keeps the index's own setting.</summary>
    public int? NProbe { get; init; }
}

/// <summary>
/// Inverted file over k-means clusters: training clusters the vectors into <see cref="Lists"/> lists,
/// each vector is stored in its nearest centroid's list, and a query scans only the
/// <see cref="NProbe"/> lists whose centroids are nearest to it, ranking their members exactly
/// (cosine collections cluster and rank the L2-normalised vectors).
/// </summary>
public sealed class Ivf : StoredVectorIndex
{
    /// <summary>The type name in specs and serialized files.</summary>
    public const string TypeName = "Ivf";

    private readonly List<int>[] _lists;
    private KMeansResult? _clusters;

    /// <summary>Creates an untrained index.</summary>
    public Ivf(int dimension, DistanceMetric metric, int lists, int nprobe = 1, int seed = 42)
        : this(new VectorStore(dimension, metric), lists, nprobe, seed)
    {
    }

    private Ivf(VectorStore store, int lists, int nprobe, int seed) : base(store)
    {
        if (lists < 1 || lists > 1_000_000) throw new LookalikeException($"Ivf lists must be 1..1000000 (was {lists}).");
        if (nprobe < 1 || nprobe > lists) throw new LookalikeException($"Ivf nprobe must be 1..lists ({lists}) (was {nprobe}).");
        Lists = lists;
        NProbe = nprobe;
        Seed = seed;
        _lists = [.. Enumerable.Range(0, lists).Select(_ => new List<int>())];
    }

    /// <summary>Number of lists (k-means centroids).</summary>
    public int Lists { get; }

    /// <summary>Lists scanned per query.</summary>
    public int NProbe { get; }

    /// <summary>Seed of k-means.</summary>
    public int Seed { get; }

    /// <summary>The k-means run of <see cref="Train"/>, with its objective per iteration and any warning.</summary>
    public KMeansResult? Clustering => _clusters;

    /// <inheritdoc/>
    public override bool IsTrained => _clusters is not null;

    /// <inheritdoc/>
    public override string Spec => string.Create(CultureInfo.InvariantCulture, $"{TypeName}(lists={Lists},nprobe={NProbe},seed={Seed})");

    /// <inheritdoc/>
    public override void Train(ReadOnlySpan<float> vectors)
    {
        IndexArguments.RowCount(vectors, Dimension, "the training vectors");
        UseClusters(KMeans.Fit(Distances.Prepared(vectors, Dimension, Metric), Dimension, Lists, seed: Seed));
    }

    /// <summary>Adopts <paramref name="clusters"/> and files every live row under its nearest centroid.</summary>
    private void UseClusters(KMeansResult clusters)
    {
        _clusters = clusters;
        foreach (var list in _lists) list.Clear();
        for (int row = 0; row < Store.RowCount; row++)
        {
            if (!Store.IsRemoved(row)) _lists[clusters.Nearest(Store.Row(row))].Add(row);
        }
    }

    /// <inheritdoc/>
    public override void Add(ReadOnlySpan<float> vectors, ReadOnlySpan<long> ids)
    {
        var clusters = _clusters ?? throw new LookalikeException("Train the Ivf index (k-means) before adding vectors.");
        int first = Store.Add(vectors, ids);
        for (int row = first; row < Store.RowCount; row++) _lists[clusters.Nearest(Store.Row(row))].Add(row);
    }

    /// <inheritdoc/>
    public override void Remove(ReadOnlySpan<long> ids)
    {
        foreach (int row in Store.Remove(ids))
        {
            if (_clusters is not null) _lists[_clusters.Nearest(Store.Row(row))].Remove(row);
        }
    }

    /// <inheritdoc/>
    public override SearchStats Search(ReadOnlySpan<float> queries, int k, Span<float> distances, Span<long> ids,
        SearchParameters? parameters = null)
    {
        var clusters = _clusters ?? throw new LookalikeException("The Ivf index is not trained.");
        int nprobe = (parameters as IvfSearchParameters)?.NProbe ?? NProbe;
        if (nprobe < 1 || nprobe > Lists) throw new LookalikeException($"nprobe must be 1..{Lists} (was {nprobe}).");
        return ParallelSearch.Run(Dimension, queries, k, distances, ids, (query, top) =>
        {
            if (Store.Count == 0) return (0, 0);
            var prepared = Store.PrepareQuery(query);
            var order = new float[Lists];
            var lists = new int[Lists];
            for (int c = 0; c < Lists; c++)
            {
                order[c] = Distances.Compute(DistanceMetric.L2, prepared, clusters.Centroids.AsSpan(c * Dimension, Dimension));
                lists[c] = c;
            }
            Array.Sort(order, lists);
            long visited = 0;
            for (int p = 0; p < nprobe; p++)
            {
                foreach (int row in _lists[lists[p]])
                {
                    top.Offer(Store.Distance(prepared, row), Store.IdOf(row));
                    visited++;
                }
            }
            return (visited, visited + Lists);
        });
    }

    /// <inheritdoc/>
    public override void WriteTo(BinaryWriter writer)
    {
        writer.Write(Lists);
        writer.Write(NProbe);
        writer.Write(Seed);
        writer.Write(_clusters is not null);
        if (_clusters is not null) writer.Write(MemoryMarshal.AsBytes(_clusters.Centroids.AsSpan()));
        Store.WriteTo(writer);
    }

    /// <summary>Reads what <see cref="WriteTo"/> wrote; the lists are rebuilt from the stored rows.</summary>
    internal static Ivf ReadFrom(BinaryReader reader, int dimension, DistanceMetric metric)
    {
        int lists = reader.ReadInt32(), nprobe = reader.ReadInt32(), seed = reader.ReadInt32();
        float[]? centroids = null;
        if (reader.ReadBoolean())
        {
            centroids = new float[lists * dimension];
            reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(centroids.AsSpan()));
        }
        var index = new Ivf(VectorStore.ReadFrom(reader, dimension, metric), lists, nprobe, seed);
        if (centroids is not null) index.UseClusters(new KMeansResult(centroids, lists, dimension, [], 0, 0, null));
        return index;
    }
}
