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
/// <see cref="IvfOptions.NProbe"/> lists whose centroids are nearest to it, ranking their members exactly
/// (cosine collections cluster and rank the L2-normalised vectors).
/// </summary>
public sealed class Ivf : StoredVectorIndex
{
    /// <summary>The type name in specs and serialized files.</summary>
    public const string TypeName = "Ivf";

    /// <summary>Lloyd iterations of training (faiss's IVF default).</summary>
    public const int Iterations = 10;

    private readonly List<int>[] _lists;
    private KMeansResult? _clusters;

    /// <summary>Creates an untrained index.</summary>
    public Ivf(int dimension, DistanceMetric metric, IvfOptions options, IVectorSource? vectors = null)
        : this(new VectorStore(dimension, metric, vectors), options)
    {
    }

    private Ivf(VectorStore store, IvfOptions options) : base(store)
    {
        options.Validate();
        Options = options;
        _lists = [.. Enumerable.Range(0, options.Lists).Select(_ => new List<int>())];
    }

    /// <summary>The parameters.</summary>
    public IvfOptions Options { get; }

    /// <summary>Number of lists (k-means centroids).</summary>
    public int Lists => Options.Lists;

    /// <summary>The k-means run of <see cref="Train"/>, with its objective per iteration and any warning.</summary>
    public KMeansResult? Clustering => _clusters;

    /// <inheritdoc/>
    public override bool IsTrained => _clusters is not null;

    /// <inheritdoc/>
    public override string Spec => Options.ToSpec();

    /// <inheritdoc/>
    public override void Train(ReadOnlySpan<float> vectors)
    {
        IndexArguments.RowCount(vectors, Dimension, "the training vectors");
        UseClusters(KMeans.Fit(Distances.Prepared(vectors, Dimension, Metric), Dimension, Lists, Iterations, Options.Seed));
    }

    /// <summary>Adopts <paramref name="clusters"/> and files every live row under its nearest centroid.</summary>
    private void UseClusters(KMeansResult clusters)
    {
        _clusters = clusters;
        foreach (var list in _lists) list.Clear();
        FileRows(0, skipRemoved: true);
    }

    /// <summary>Files rows from <paramref name="first"/> on under their nearest centroids, found in one blocked scan.</summary>
    private void FileRows(int first, bool skipRemoved)
    {
        int count = Store.RowCount - first;
        if (count <= 0) return;
        var rows = new float[(long)count * Dimension];
        for (int i = 0; i < count; i++) Store.Row(first + i, rows.AsSpan(i * Dimension, Dimension)).CopyTo(rows.AsSpan(i * Dimension, Dimension));
        var nearest = _clusters!.NearestOfEach(rows);
        for (int i = 0; i < count; i++)
        {
            if (!skipRemoved || !Store.IsRemoved(first + i)) _lists[nearest[i]].Add(first + i);
        }
    }

    /// <inheritdoc/>
    public override void Add(ReadOnlySpan<float> vectors, ReadOnlySpan<long> ids)
    {
        if (_clusters is null) throw new LookalikeException("Train the Ivf index (k-means) before adding vectors.");
        FileRows(Store.Add(vectors, ids), skipRemoved: false);
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
        int nprobe = (parameters as IvfSearchParameters)?.NProbe ?? Options.NProbe;
        if (nprobe < 1 || nprobe > Lists) throw new LookalikeException($"nprobe must be 1..{Lists} (was {nprobe}).");
        return ParallelSearch.Run(Store, queries, k, distances, ids, parameters, (prepared, top) =>
        {
            if (Store.Count == 0) return (0, 0);
            // The nprobe nearest centroids by partial selection: a bounded heap, no sort of all lists.
            var probes = new TopKCollector(nprobe);
            for (int c = 0; c < Lists; c++)
            {
                probes.Offer(VectorKernels.SquaredL2(prepared, clusters.Centroids.AsSpan(c * Dimension, Dimension)), c);
            }
            Span<float> probeDistances = nprobe <= 256 ? stackalloc float[nprobe] : new float[nprobe];
            Span<long> probeLists = nprobe <= 256 ? stackalloc long[nprobe] : new long[nprobe];
            probes.DrainSorted(probeDistances, probeLists);
            long visited = 0;
            foreach (long list in probeLists)
            {
                foreach (int row in _lists[(int)list])
                {
                    top.Offer(Store.RankingDistance(prepared, row), Store.IdOf(row));
                    visited++;
                }
            }
            return (visited, visited + Lists);
        });
    }

    /// <inheritdoc/>
    public override IVectorIndex CloneEmpty()
    {
        var clone = new Ivf(new VectorStore(Dimension, Metric), Options);
        if (_clusters is not null) clone.UseClusters(_clusters);
        return clone;
    }

    /// <inheritdoc/>
    public override void WriteTo(BinaryWriter writer)
    {
        writer.Write(Options.ToSpec());
        writer.Write(_clusters is not null);
        if (_clusters is not null) writer.Write(MemoryMarshal.AsBytes(_clusters.Centroids.AsSpan()));
        Store.WriteTo(writer);
        foreach (var list in _lists)
        {
            writer.Write(list.Count);
            foreach (int row in list) writer.Write(row);
        }
    }

    /// <summary>Reads what <see cref="WriteTo"/> wrote.</summary>
    internal static Ivf ReadFrom(BinaryReader reader, IndexReading reading)
    {
        var options = IvfOptions.Parse(IndexSpecComponent.ParseChain(reader.ReadString())[0]);
        float[]? centroids = null;
        if (reader.ReadBoolean())
        {
            centroids = new float[options.Lists * reading.Dimension];
            reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(centroids.AsSpan()));
        }
        var index = new Ivf(VectorStore.ReadFrom(reader, reading.Dimension, reading.Metric, reading.Vectors), options);
        if (centroids is not null) index._clusters = new KMeansResult(centroids, options.Lists, reading.Dimension, [], 0, 0, null);
        foreach (var list in index._lists)
        {
            int count = reader.ReadInt32();
            if (count < 0 || count > index.Store.RowCount) throw new LookalikeException("Index file is damaged (list size).");
            for (int i = 0; i < count; i++)
            {
                int row = reader.ReadInt32();
                if ((uint)row >= (uint)index.Store.RowCount) throw new LookalikeException("Index file is damaged (row number).");
                list.Add(row);
            }
        }
        return index;
    }
}

/// <summary>Parameters of <see cref="Ivf"/>, with their defaults.</summary>
public sealed record IvfOptions
{
    /// <summary>Number of lists (k-means centroids).</summary>
    public int Lists { get; init; } = 256;

    /// <summary>Lists scanned per query.</summary>
    public int NProbe { get; init; } = 1;

    /// <summary>Seed of k-means.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Reads a spec component (absent parameters keep their defaults).</summary>
    public static IvfOptions Parse(IndexSpecComponent component)
    {
        component.RejectUnknown("lists", "nprobe", "seed");
        var d = new IvfOptions();
        return new IvfOptions
        {
            Lists = component.GetInt("lists", d.Lists),
            NProbe = component.GetInt("nprobe", d.NProbe),
            Seed = component.GetInt("seed", d.Seed),
        };
    }

    /// <summary>The spec with every parameter written out.</summary>
    public string ToSpec() => string.Create(CultureInfo.InvariantCulture, $"{Ivf.TypeName}(lists={Lists},nprobe={NProbe},seed={Seed})");

    /// <summary>Throws for values out of range.</summary>
    public void Validate()
    {
        if (Lists < 1 || Lists > 1_000_000) throw new LookalikeException($"Ivf lists must be 1..1000000 (was {Lists}).");
        if (NProbe < 1 || NProbe > Lists) throw new LookalikeException($"Ivf nprobe must be 1..lists ({Lists}) (was {NProbe}).");
    }
}

/// <summary>The <see cref="Ivf"/> type (a trailing <c>Flat</c>, as in faiss's <c>IVF256,Flat</c>, names its storage).</summary>
public sealed class IvfDescriptor() : OptionsIndexDescriptor<IvfOptions>(Ivf.TypeName, IvfOptions.Parse,
    (dimension, metric, options, vectors) => new Ivf(dimension, metric, options, vectors), Ivf.ReadFrom, flatStorage: true,
    searchTime: (["nprobe"], options => new IvfSearchParameters { NProbe = options.NProbe }));
