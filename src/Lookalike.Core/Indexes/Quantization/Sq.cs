using System.Buffers;
using System.Globalization;
using Lookalike.Errors;

namespace Lookalike.Indexes.Quantization;

/// <summary>Search knobs of <see cref="Sq"/>.</summary>
public sealed class SqSearchParameters : SearchParameters
{
    /// <summary>Candidates re-ranked by their float32 vectors (0: report code distances); null keeps the index's own setting.</summary>
    public int? Rerank { get; init; }
}

/// <summary>
/// An exhaustive scan over scalar-quantized codes (faiss's IndexScalarQuantizer, SQ8 or SQfp16):
/// each vector is kept as one byte (SQ8: ¼ of float32) or two (F16) per component, a query is
/// compared with every code, and the best <see cref="SqOptions.Rerank"/> candidates are re-ranked
/// by their float32 vectors (faiss's IndexRefineFlat), which a collection keeps on disk and reads
/// only for them. A one-query scan is bound by memory reads, so reading a quarter of the bytes is
/// what makes it faster; it is split over row ranges across cores like <see cref="ExactScan"/>.
/// </summary>
/// <remarks>Concurrent searches are safe; <see cref="Train"/>, <see cref="Add"/> and <see cref="Remove"/> need exclusive access.</remarks>
public sealed class Sq : StoredVectorIndex
{
    /// <summary>The type name in specs and serialized files.</summary>
    public const string TypeName = "Sq";

    private const int MinRowsPerRange = 8192;

    private ScalarQuantizer? _quantizer;
    private byte[] _codes = [];

    /// <summary>Creates an untrained index.</summary>
    public Sq(int dimension, DistanceMetric metric, SqOptions options, IVectorSource? vectors = null)
        : this(new VectorStore(dimension, metric, vectors), options)
    {
    }

    private Sq(VectorStore store, SqOptions options) : base(store)
    {
        options.Validate();
        Options = options;
    }

    /// <summary>The parameters.</summary>
    public SqOptions Options { get; }

    /// <summary>Bytes of one vector's code.</summary>
    public int CodeBytes => Options.Storage == VectorStorage.Sq8 ? Dimension : 2 * Dimension;

    /// <inheritdoc/>
    public override bool IsTrained => _quantizer is not null;

    /// <inheritdoc/>
    public override string Spec => Options.ToSpec();

    /// <inheritdoc/>
    public override void Train(ReadOnlySpan<float> vectors)
    {
        IndexArguments.RowCount(vectors, Dimension, "the training vectors");
        _quantizer = ScalarQuantizer.Train(Options.Storage, Metric, Distances.Prepared(vectors, Dimension, Metric), Dimension);
        Encode(0);
    }

    /// <inheritdoc/>
    public override void Add(ReadOnlySpan<float> vectors, ReadOnlySpan<long> ids)
    {
        if (_quantizer is null) throw new LookalikeException("Train the Sq index (it learns each dimension's range) before adding vectors.");
        Encode(Store.Add(vectors, ids));
    }

    private void Encode(int first)
    {
        if (_quantizer is null) return;
        int rows = Store.RowCount;
        if (_codes.Length < (long)rows * CodeBytes) Array.Resize(ref _codes, (int)Math.Max((long)rows * CodeBytes, 2L * _codes.Length));
        Parallel.For(first, rows, () => new float[Dimension], (row, _, local) =>
        {
            // A removed row of shared vectors may be gone from its source; it is never compared again.
            if (!Store.IsRemoved(row) || !Store.IsShared) _quantizer.Encode(Store.Row(row, local), _codes.AsSpan(row * CodeBytes, CodeBytes));
            return local;
        }, _ => { });
    }

    /// <inheritdoc/>
    public override void Remove(ReadOnlySpan<long> ids) => Store.Remove(ids);

    /// <inheritdoc/>
    public override SearchStats Search(ReadOnlySpan<float> queries, int k, Span<float> distances, Span<long> ids,
        SearchParameters? parameters = null)
    {
        var quantizer = _quantizer ?? throw new LookalikeException("The Sq index is not trained.");
        int rerank = (parameters as SqSearchParameters)?.Rerank ?? Options.Rerank;
        if (rerank < 0) throw new LookalikeException($"rerank must be 0 or more (was {rerank}).");
        var parallelism = SearchParameters.Parallelism(parameters);
        bool one = queries.Length == Dimension;
        return ParallelSearch.Run(Store, queries, k, distances, ids, parameters, (query, top) =>
        {
            int rows = Store.RowCount;
            int ranges = one && parallelism.MaxDegreeOfParallelism != 1 ? Math.Clamp(rows / MinRowsPerRange, 1, Environment.ProcessorCount) : 1;
            var candidates = new TopKCollector[ranges];
            var transformed = ArrayPool<float>.Shared.Rent(Dimension);
            try
            {
                float constant = quantizer.PrepareQuery(query, transformed);
                int per = (rows + ranges - 1) / ranges;
                Parallel.For(0, ranges, parallelism, range =>
                {
                    var collector = new TopKCollector(Math.Max(k, rerank), parameters?.Filter);
                    var scratch = ArrayPool<float>.Shared.Rent(Dimension);
                    var code = transformed.AsSpan(0, Dimension);
                    for (int row = range * per; row < Math.Min(rows, (range + 1) * per); row++)
                    {
                        if (Store.IsRemoved(row)) continue;
                        collector.Offer(quantizer.RankingDistance(code, constant, _codes.AsSpan(row * CodeBytes, CodeBytes), scratch), Store.IdOf(row));
                    }
                    ArrayPool<float>.Shared.Return(scratch);
                    candidates[range] = collector;
                });
            }
            finally
            {
                ArrayPool<float>.Shared.Return(transformed);
            }
            for (int range = 1; range < ranges; range++) candidates[range].MoveTo(candidates[0]);
            long live = Store.Count, reranked = 0;
            if (rerank == 0)
            {
                candidates[0].MoveTo(top);
                return (live, live);
            }
            var found = new float[candidates[0].Capacity];
            var foundIds = new long[candidates[0].Capacity];
            candidates[0].DrainSorted(found, foundIds);
            foreach (long id in foundIds)
            {
                if (id < 0) break;
                top.Offer(Store.RankingDistance(query, Store.RowOf(id)), id);
                reranked++;
            }
            return (live, live + reranked);
        });
    }

    /// <inheritdoc/>
    public override IVectorIndex CloneEmpty()
    {
        var clone = new Sq(new VectorStore(Dimension, Metric), Options) { _quantizer = _quantizer };
        return clone;
    }

    /// <inheritdoc/>
    public override void WriteTo(BinaryWriter writer)
    {
        writer.Write(Options.ToSpec());
        Store.WriteTo(writer);
        writer.Write(_quantizer is not null);
        if (_quantizer is null) return;
        _quantizer.WriteTo(writer);
        writer.Write(_codes, 0, Store.RowCount * CodeBytes);
    }

    /// <summary>Reads what <see cref="WriteTo"/> wrote.</summary>
    internal static Sq ReadFrom(BinaryReader reader, IndexReading reading)
    {
        var options = SqOptions.Parse(IndexSpecComponent.ParseChain(reader.ReadString())[0]);
        var index = new Sq(VectorStore.ReadFrom(reader, reading.Dimension, reading.Metric, reading.Vectors), options);
        if (!reader.ReadBoolean()) return index;
        index._quantizer = ScalarQuantizer.ReadFrom(reader, reading.Metric, reading.Dimension);
        if (index._quantizer.Storage != options.Storage) throw new LookalikeException("Index file is damaged (storage).");
        index._codes = new byte[index.Store.RowCount * index.CodeBytes];
        reader.BaseStream.ReadExactly(index._codes);
        return index;
    }
}

/// <summary>Parameters of <see cref="Sq"/>, with their defaults.</summary>
public sealed record SqOptions
{
    /// <summary>sq8 (one byte a component) or f16 (two).</summary>
    public VectorStorage Storage { get; init; } = VectorStorage.Sq8;

    /// <summary>Candidates re-ranked by float32 distance (0: none, code distances are reported).</summary>
    public int Rerank { get; init; } = 64;

    /// <summary>Reads a spec component (absent parameters keep their defaults).</summary>
    public static SqOptions Parse(IndexSpecComponent component)
    {
        component.RejectUnknown("storage", "rerank");
        var d = new SqOptions();
        string storage = component.Parameters.FirstOrDefault(p => p.Key.Equals("storage", StringComparison.OrdinalIgnoreCase)).Value ?? "sq8";
        return new SqOptions
        {
            Storage = storage.ToLowerInvariant() switch
            {
                "sq8" => VectorStorage.Sq8,
                "f16" or "fp16" => VectorStorage.F16,
                _ => throw new LookalikeException($"Sq storage must be sq8 or f16 (was '{storage}')."),
            },
            Rerank = component.GetInt("rerank", d.Rerank),
        };
    }

    /// <summary>The spec with every parameter written out.</summary>
    public string ToSpec() => string.Create(CultureInfo.InvariantCulture,
        $"{Sq.TypeName}(storage={(Storage == VectorStorage.Sq8 ? "sq8" : "f16")},rerank={Rerank})");

    /// <summary>Throws for values out of range.</summary>
    public void Validate()
    {
        if (Rerank < 0 || Rerank > 100_000) throw new LookalikeException($"Sq rerank must be 0..100000 (was {Rerank}).");
    }
}

/// <summary>The <see cref="Sq"/> type (faiss's <c>SQ8</c> and <c>SQfp16</c> are short forms of it).</summary>
public sealed class SqDescriptor() : OptionsIndexDescriptor<SqOptions>(Sq.TypeName, SqOptions.Parse,
    (dimension, metric, options, vectors) => new Sq(dimension, metric, options, vectors), Sq.ReadFrom,
    searchTime: (["rerank"], options => new SqSearchParameters { Rerank = options.Rerank }));
