using System.Globalization;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
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

    /// <summary>Creates an empty index; projections are drawn from the options' seed.</summary>
    public E2Lsh(int dimension, DistanceMetric metric, E2LshOptions options, IVectorSource? vectors = null)
        : this(new VectorStore(dimension, metric, vectors), options, null, null)
    {
    }

    private E2Lsh(VectorStore store, E2LshOptions options, float[]? a, float[]? b, BucketTable[]? tables = null)
        : base(store)
    {
        options.Validate();
        Options = options;
        (_projections, _offsets) = a is not null && b is not null
            ? (a, b)
            : Draw(store.Dimension, options.Tables, options.Projections, options.Width, options.Seed);
        _tables = tables ?? [.. Enumerable.Range(0, options.Tables).Select(_ => new BucketTable())];
    }

    /// <summary>The parameters.</summary>
    public E2LshOptions Options { get; }

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

    private int Tables => Options.Tables;

    private int Projections => Options.Projections;

    private double Width => Options.Width;

    /// <inheritdoc/>
    public override string Spec => Options.ToSpec();

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
        int probes = (parameters as LshSearchParameters)?.Probes ?? Options.Probes;
        var budget = LshBudget.Of(parameters, Options.Budget);
        if (probes < 0) throw new LookalikeException($"probes must be 0 or more (was {probes}).");
        return ParallelSearch.Run(Store, queries, k, distances, ids, parameters, (prepared, top) =>
        {
            // Every table's own bucket first, then the probes round by round over the tables (the first
            // probe of each table, then the second, …), so a candidate budget is spent on the likeliest buckets.
            var walk = StartWalk(prepared, top, budget);
            var codes = new int[Tables * Projections];
            var sequences = probes == 0 ? null : new (int Coordinate, int Delta)[Tables][][];
            Span<double> fraction = stackalloc double[Projections];
            for (int t = 0; t < Tables && !walk.Spent; t++)
            {
                var code = codes.AsSpan(t * Projections, Projections);
                Code(prepared, t, code, fraction);
                walk.Offer(_tables[t].Get(BucketTable.Key(code)));
                if (sequences is not null) sequences[t] = [.. MultiProbe.Sequence(fraction, probes)];
            }
            if (sequences is null) return walk.Finish();
            Span<int> probe = stackalloc int[Projections];
            for (int p = 0; p < probes; p++)
            {
                for (int t = 0; t < Tables; t++)
                {
                    if (walk.Spent) return walk.Finish();
                    if (sequences[t] is not { } sequence || p >= sequence.Length) continue;
                    codes.AsSpan(t * Projections, Projections).CopyTo(probe);
                    foreach (var (coordinate, delta) in sequence[p]) probe[coordinate] += delta;
                    walk.Offer(_tables[t].Get(BucketTable.Key(probe)));
                }
            }
            return walk.Finish();
        });
    }

    /// <inheritdoc/>
    public override IVectorIndex CloneEmpty() => new E2Lsh(new VectorStore(Dimension, Metric), Options, _projections, _offsets);

    /// <inheritdoc/>
    public override void WriteTo(BinaryWriter writer)
    {
        writer.Write(Options.ToSpec());
        writer.Write(MemoryMarshal.AsBytes(_projections.AsSpan()));
        writer.Write(MemoryMarshal.AsBytes(_offsets.AsSpan()));
        Store.WriteTo(writer);
        foreach (var table in _tables) table.WriteTo(writer);
    }

    /// <summary>Reads what <see cref="WriteTo"/> wrote.</summary>
    internal static E2Lsh ReadFrom(BinaryReader reader, IndexReading reading)
    {
        var options = E2LshOptions.Parse(IndexSpecComponent.ParseChain(reader.ReadString())[0]);
        int d = reading.Dimension;
        var a = new float[options.Tables * options.Projections * d];
        reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(a.AsSpan()));
        var b = new float[options.Tables * options.Projections];
        reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(b.AsSpan()));
        var store = VectorStore.ReadFrom(reader, d, reading.Metric, reading.Vectors);
        var tables = Enumerable.Range(0, options.Tables).Select(_ => BucketTable.ReadFrom(reader, store.RowCount)).ToArray();
        return new E2Lsh(store, options, a, b, tables);
    }
}

/// <summary>Parameters of <see cref="E2Lsh"/>, with their defaults.</summary>
public sealed record E2LshOptions
{
    /// <summary>Number of hash tables L.</summary>
    public int Tables { get; init; } = 7;

    /// <summary>Projections per table k.</summary>
    public int Projections { get; init; } = 2;

    /// <summary>Bucket width w.</summary>
    public double Width { get; init; } = 6;

    /// <summary>Extra buckets probed per table (multi-probe T).</summary>
    public int Probes { get; init; }

    /// <summary>The candidate budget of a search (none by default), and whether it goes by collision counts.</summary>
    public CandidateBudget Budget { get; init; }

    /// <summary>Seed of the projections.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Reads a spec component (absent parameters keep their defaults).</summary>
    public static E2LshOptions Parse(IndexSpecComponent component)
    {
        component.RejectUnknown(["tables", "projections", "width", "probes", .. LshBudget.ParameterNames, "seed"]);
        var d = new E2LshOptions();
        return new E2LshOptions
        {
            Tables = component.GetInt("tables", d.Tables),
            Projections = component.GetInt("projections", d.Projections),
            Width = component.GetDouble("width", d.Width),
            Probes = component.GetInt("probes", d.Probes),
            Budget = LshBudget.Parse(component, E2Lsh.TypeName),
            Seed = component.GetInt("seed", d.Seed),
        };
    }

    /// <summary>The spec with every parameter written out (the candidate budget only when there is one).</summary>
    public string ToSpec() => string.Create(CultureInfo.InvariantCulture,
        $"{E2Lsh.TypeName}(tables={Tables},projections={Projections},width={Width:R},probes={Probes},{LshBudget.SpecPart(Budget)}seed={Seed})");

    /// <summary>Throws for values out of range.</summary>
    public void Validate()
    {
        if (Tables < 1 || Tables > 1000) throw new LookalikeException($"E2Lsh tables must be 1..1000 (was {Tables}).");
        if (Projections < 1 || Projections > 64) throw new LookalikeException($"E2Lsh projections must be 1..64 (was {Projections}).");
        if (!(Width > 0)) throw new LookalikeException($"E2Lsh width must be positive (was {Width}).");
        if (Probes < 0) throw new LookalikeException($"E2Lsh probes must be 0 or more (was {Probes}).");
        LshBudget.Validate(E2Lsh.TypeName, Budget);
    }
}

/// <summary>The <see cref="E2Lsh"/> type.</summary>
public sealed class E2LshDescriptor() : OptionsIndexDescriptor<E2LshOptions>(E2Lsh.TypeName, E2LshOptions.Parse,
    (dimension, metric, options, vectors) => new E2Lsh(dimension, metric, options, vectors), E2Lsh.ReadFrom,
    searchTime: (["probes", .. LshBudget.ParameterNames], options => LshBudget.Parameters(options.Probes, options.Budget)));
