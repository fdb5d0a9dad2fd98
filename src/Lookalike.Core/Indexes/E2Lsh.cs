using System.Globalization;
using System.Numerics.Tensors;
using Lookalike.Errors;

namespace Lookalike.Indexes;

/// <summary>
/// E2LSH with p-stable (Gaussian) projections — Datar, Immorlica, Indyk &amp; Mirrokni, "Locality-sensitive
/// hashing scheme based on p-stable distributions", SoCG 2004 — with query-directed multi-probe
/// (Lv, Josephson, Wang, Charikar &amp; Li, "Multi-probe LSH", VLDB 2007).
/// L tables; table t hashes x to g_t(x) = (h_1(x), …, h_k(x)) with h_i(x) = ⌊(a_i·x + b_i)/w⌋,
/// a_i ~ N(0, I), b_i ~ U[0, w). A query's candidates are the union of its buckets (plus, with
/// multi-probe, the T most likely neighbouring buckets of each table), ranked by exact distance.
/// </summary>
/// <remarks>
/// For cosine the vectors are L2-normalised before hashing, so Euclidean buckets serve cosine ranking.
/// Concurrent searches are safe; <see cref="Add"/> and <see cref="Remove"/> need exclusive access.
/// </remarks>
public sealed class E2Lsh : StoredVectorIndex
{
    /// <summary>The type name in specs and serialized files.</summary>
    public const string TypeName = "E2Lsh";

    private readonly float[] _projections;
    private readonly float[] _offsets;
    private readonly BucketTable[] _tables;

    /// <summary>Creates an empty index; projections are drawn from <paramref name="seed"/>.</summary>
    public E2Lsh(int dimension, DistanceMetric metric, int tables, int projections, double width, int probes = 0, int seed = 42)
        : this(new VectorStore(dimension, metric), tables, projections, width, probes, seed, null, null)
    {
    }

    private E2Lsh(VectorStore store, int tables, int projections, double width, int probes, int seed, float[]? a, float[]? b)
        : base(store)
    {
        if (tables < 1 || tables > 1000) throw new LookalikeException($"E2Lsh tables must be 1..1000 (was {tables}).");
        if (projections < 1 || projections > 64) throw new LookalikeException($"E2Lsh projections must be 1..64 (was {projections}).");
        if (!(width > 0)) throw new LookalikeException($"E2Lsh width must be positive (was {width}).");
        if (probes < 0) throw new LookalikeException($"E2Lsh probes must be 0 or more (was {probes}).");
        Tables = tables;
        Projections = projections;
        Width = width;
        Probes = probes;
        Seed = seed;
        (_projections, _offsets) = a is not null && b is not null ? (a, b) : Draw(store.Dimension, tables, projections, width, seed);
        _tables = Enumerable.Range(0, tables).Select(_ => new BucketTable()).ToArray();
    }

    /// <summary>
    /// Draws table after table (k projections, then k offsets) from one seeded stream, so an index
    /// with L tables holds exactly the first L tables of one with more: recall can only grow with L.
    /// </summary>
    private static (float[] Projections, float[] Offsets) Draw(int dimension, int tables, int projections, double width, int seed)
    {
        var random = new Random(seed);
        var a = new float[tables * projections * dimension];
        var b = new float[tables * projections];
        for (int t = 0; t < tables; t++)
        {
            Gaussian.Samples(projections * dimension, random).CopyTo(a, t * projections * dimension);
            for (int i = 0; i < projections; i++) b[(t * projections) + i] = (float)(random.NextDouble() * width);
        }
        return (a, b);
    }

    /// <summary>Number of hash tables L.</summary>
    public int Tables { get; }

    /// <summary>Projections per table k.</summary>
    public int Projections { get; }

    /// <summary>Bucket width w.</summary>
    public double Width { get; }

    /// <summary>Extra buckets probed per table (multi-probe T).</summary>
    public int Probes { get; }

    /// <summary>Seed of the projections.</summary>
    public int Seed { get; }

    /// <inheritdoc/>
    public override string Spec => string.Create(CultureInfo.InvariantCulture,
        $"{TypeName}(tables={Tables},projections={Projections},width={Width:R},probes={Probes},seed={Seed})");

    /// <summary>Occupied buckets per table.</summary>
    public IReadOnlyList<int> BucketCounts => _tables.Select(t => t.BucketCount).ToList();

    /// <inheritdoc/>
    public override void Add(ReadOnlySpan<float> vectors, ReadOnlySpan<long> ids)
    {
        int first = Store.Add(vectors, ids);
        Span<int> code = stackalloc int[Projections];
        for (int row = first; row < Store.RowCount; row++) Hash(Store.Row(row), row, code);
    }

    private void Hash(ReadOnlySpan<float> vector, int row, Span<int> code)
    {
        for (int t = 0; t < Tables; t++)
        {
            Code(vector, t, code, null);
            _tables[t].Add(BucketTable.Key(code), row);
        }
    }

    /// <inheritdoc/>
    public override void Remove(ReadOnlySpan<long> ids)
    {
        Span<int> code = stackalloc int[Projections];
        foreach (int row in Store.Remove(ids))
        {
            for (int t = 0; t < Tables; t++)
            {
                Code(Store.Row(row), t, code, null);
                _tables[t].Remove(BucketTable.Key(code), row);
            }
        }
    }

    /// <summary>g_t(x), and optionally where x sits inside each slot (0..1) for multi-probe.</summary>
    private void Code(ReadOnlySpan<float> x, int table, Span<int> code, Span<double> fraction)
    {
        int d = Dimension;
        for (int i = 0; i < Projections; i++)
        {
            int p = (table * Projections) + i;
            double position = (TensorPrimitives.Dot(_projections.AsSpan(p * d, d), x) + _offsets[p]) / Width;
            double slot = Math.Floor(position);
            code[i] = (int)Math.Clamp(slot, int.MinValue, int.MaxValue);
            if (!fraction.IsEmpty) fraction[i] = position - slot;
        }
    }

    /// <inheritdoc/>
    public override SearchStats Search(ReadOnlySpan<float> queries, int k, Span<float> distances, Span<long> ids,
        SearchParameters? parameters = null)
    {
        int probes = (parameters as LshSearchParameters)?.Probes ?? Probes;
        if (probes < 0) throw new LookalikeException($"probes must be 0 or more (was {probes}).");
        return ParallelSearch.Run(Dimension, queries, k, distances, ids, (query, top) =>
        {
            var prepared = Store.PrepareQuery(query);
            var visited = new HashSet<int>();
            Span<int> code = stackalloc int[Projections];
            Span<int> probe = stackalloc int[Projections];
            Span<double> fraction = stackalloc double[Projections];
            for (int t = 0; t < Tables; t++)
            {
                Code(prepared, t, code, fraction);
                Visit(_tables[t].Get(BucketTable.Key(code)), prepared, visited, top);
                if (probes == 0) continue;
                foreach (var perturbation in MultiProbe.Sequence(fraction, probes))
                {
                    code.CopyTo(probe);
                    foreach (var (coordinate, delta) in perturbation) probe[coordinate] += delta;
                    Visit(_tables[t].Get(BucketTable.Key(probe)), prepared, visited, top);
                }
            }
            return (visited.Count, visited.Count);
        });
    }

    /// <inheritdoc/>
    public override void WriteTo(BinaryWriter writer)
    {
        writer.Write(Tables);
        writer.Write(Projections);
        writer.Write(Width);
        writer.Write(Probes);
        writer.Write(Seed);
        foreach (float v in _projections) writer.Write(v);
        foreach (float v in _offsets) writer.Write(v);
        Store.WriteTo(writer);
    }

    /// <summary>Reads what <see cref="WriteTo"/> wrote; the tables are rebuilt from the stored rows.</summary>
    internal static E2Lsh ReadFrom(BinaryReader reader, int dimension, DistanceMetric metric)
    {
        int tables = reader.ReadInt32(), projections = reader.ReadInt32();
        double width = reader.ReadDouble();
        int probes = reader.ReadInt32(), seed = reader.ReadInt32();
        var a = new float[tables * projections * dimension];
        for (int i = 0; i < a.Length; i++) a[i] = reader.ReadSingle();
        var b = new float[tables * projections];
        for (int i = 0; i < b.Length; i++) b[i] = reader.ReadSingle();
        var store = VectorStore.ReadFrom(reader, dimension, metric);
        var index = new E2Lsh(store, tables, projections, width, probes, seed, a, b);
        Span<int> code = stackalloc int[projections];
        for (int row = 0; row < store.RowCount; row++)
        {
            if (!store.IsRemoved(row)) index.Hash(store.Row(row), row, code);
        }
        return index;
    }
}
