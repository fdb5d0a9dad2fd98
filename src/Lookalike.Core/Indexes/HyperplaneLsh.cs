using System.Globalization;
using System.Numerics.Tensors;
using Lookalike.Errors;

namespace Lookalike.Indexes;

/// <summary>
/// Random-hyperplane LSH (SimHash) — Charikar, "Similarity estimation techniques from rounding
/// algorithms", STOC 2002: each table keys a vector by the signs of <c>bits</c> Gaussian projections,
/// so two vectors share a bit with probability 1 − θ/π. Optional Hamming-ball probing visits every
/// bucket within <c>radius</c> flipped bits of the query's code.
/// </summary>
/// <remarks>
/// Suited to cosine similarity (the hyperplanes pass through the origin). Concurrent searches are
/// safe; <see cref="Add"/> and <see cref="Remove"/> need exclusive access.
/// </remarks>
public sealed class HyperplaneLsh : StoredVectorIndex
{
    /// <summary>The type name in specs and serialized files.</summary>
    public const string TypeName = "HyperplaneLsh";

    private readonly float[] _normals;
    private readonly BucketTable[] _tables;

    /// <summary>Creates an empty index; hyperplanes are drawn from <paramref name="seed"/>.</summary>
    public HyperplaneLsh(int dimension, DistanceMetric metric, int tables, int bits, int radius = 0, int seed = 42)
        : this(new VectorStore(dimension, metric), tables, bits, radius, seed, null)
    {
    }

    private HyperplaneLsh(VectorStore store, int tables, int bits, int radius, int seed, float[]? normals)
        : base(store)
    {
        if (tables < 1 || tables > 1000) throw new LookalikeException($"HyperplaneLsh tables must be 1..1000 (was {tables}).");
        if (bits < 1 || bits > 64) throw new LookalikeException($"HyperplaneLsh bits must be 1..64 (was {bits}).");
        if (radius < 0 || radius > 3) throw new LookalikeException($"HyperplaneLsh radius must be 0..3 (was {radius}).");
        Tables = tables;
        Bits = bits;
        Radius = radius;
        Seed = seed;
        if (normals is null)
        {
            // Table after table from one stream: fewer tables are a prefix of more.
            var random = new Random(seed);
            normals = new float[tables * bits * store.Dimension];
            for (int t = 0; t < tables; t++) Gaussian.Samples(bits * store.Dimension, random).CopyTo(normals, t * bits * store.Dimension);
        }
        _normals = normals;
        _tables = Enumerable.Range(0, tables).Select(_ => new BucketTable()).ToArray();
    }

    /// <summary>Number of tables.</summary>
    public int Tables { get; }

    /// <summary>Bits (hyperplanes) per table.</summary>
    public int Bits { get; }

    /// <summary>Hamming radius probed around the query's code.</summary>
    public int Radius { get; }

    /// <summary>Seed of the hyperplanes.</summary>
    public int Seed { get; }

    /// <inheritdoc/>
    public override string Spec => string.Create(CultureInfo.InvariantCulture,
        $"{TypeName}(tables={Tables},bits={Bits},radius={Radius},seed={Seed})");

    /// <inheritdoc/>
    public override void Add(ReadOnlySpan<float> vectors, ReadOnlySpan<long> ids)
    {
        int first = Store.Add(vectors, ids);
        for (int row = first; row < Store.RowCount; row++)
        {
            for (int t = 0; t < Tables; t++) _tables[t].Add(Code(Store.Row(row), t), row);
        }
    }

    /// <inheritdoc/>
    public override void Remove(ReadOnlySpan<long> ids)
    {
        foreach (int row in Store.Remove(ids))
        {
            for (int t = 0; t < Tables; t++) _tables[t].Remove(Code(Store.Row(row), t), row);
        }
    }

    private ulong Code(ReadOnlySpan<float> x, int table)
    {
        int d = Dimension;
        ulong code = 0;
        for (int b = 0; b < Bits; b++)
        {
            if (TensorPrimitives.Dot(_normals.AsSpan(((table * Bits) + b) * d, d), x) >= 0) code |= 1UL << b;
        }
        return code;
    }

    /// <inheritdoc/>
    public override SearchStats Search(ReadOnlySpan<float> queries, int k, Span<float> distances, Span<long> ids,
        SearchParameters? parameters = null)
    {
        int radius = (parameters as LshSearchParameters)?.Probes ?? Radius;
        if (radius < 0 || radius > 3) throw new LookalikeException($"Hamming radius must be 0..3 (was {radius}).");
        return ParallelSearch.Run(Dimension, queries, k, distances, ids, (query, top) =>
        {
            var prepared = Store.PrepareQuery(query);
            var visited = new HashSet<int>();
            for (int t = 0; t < Tables; t++)
            {
                ulong code = Code(prepared, t);
                foreach (ulong key in HammingBall(code, Bits, radius)) Visit(_tables[t].Get(key), prepared, visited, top);
            }
            return (visited.Count, visited.Count);
        });
    }

    /// <summary>Every code within <paramref name="radius"/> flipped bits of <paramref name="code"/>, nearest first.</summary>
    internal static IEnumerable<ulong> HammingBall(ulong code, int bits, int radius)
    {
        yield return code;
        for (int r = 1; r <= radius; r++)
        {
            foreach (ulong mask in Masks(bits, r, 0)) yield return code ^ mask;
        }
    }

    private static IEnumerable<ulong> Masks(int bits, int ones, int from)
    {
        if (ones == 0)
        {
            yield return 0;
            yield break;
        }
        for (int b = from; b <= bits - ones; b++)
        {
            foreach (ulong rest in Masks(bits, ones - 1, b + 1)) yield return (1UL << b) | rest;
        }
    }

    /// <inheritdoc/>
    public override void WriteTo(BinaryWriter writer)
    {
        writer.Write(Tables);
        writer.Write(Bits);
        writer.Write(Radius);
        writer.Write(Seed);
        foreach (float v in _normals) writer.Write(v);
        Store.WriteTo(writer);
    }

    /// <summary>Reads what <see cref="WriteTo"/> wrote; the tables are rebuilt from the stored rows.</summary>
    internal static HyperplaneLsh ReadFrom(BinaryReader reader, int dimension, DistanceMetric metric)
    {
        int tables = reader.ReadInt32(), bits = reader.ReadInt32(), radius = reader.ReadInt32(), seed = reader.ReadInt32();
        var normals = new float[tables * bits * dimension];
        for (int i = 0; i < normals.Length; i++) normals[i] = reader.ReadSingle();
        var store = VectorStore.ReadFrom(reader, dimension, metric);
        var index = new HyperplaneLsh(store, tables, bits, radius, seed, normals);
        for (int row = 0; row < store.RowCount; row++)
        {
            if (store.IsRemoved(row)) continue;
            for (int t = 0; t < tables; t++) index._tables[t].Add(index.Code(store.Row(row), t), row);
        }
        return index;
    }
}
