using System.Globalization;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
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
    private float[]? _mean;
    private float[]? _thresholds; // normal · mean per hyperplane: x − mean is on the positive side when normal · x ≥ it

    /// <summary>Creates an empty index; hyperplanes are drawn from the options' seed.</summary>
    public HyperplaneLsh(int dimension, DistanceMetric metric, HyperplaneLshOptions options, IVectorSource? vectors = null)
        : this(new VectorStore(dimension, metric, vectors), options, null, null)
    {
    }

    private HyperplaneLsh(VectorStore store, HyperplaneLshOptions options, float[]? normals, float[]? mean, BucketTable[]? tables = null)
        : base(store)
    {
        options.Validate();
        Options = options;
        if (normals is null)
        {
            // Table after table from one stream: fewer tables are a prefix of more.
            var random = new Random(options.Seed);
            normals = new float[options.Tables * options.Bits * store.Dimension];
            for (int t = 0; t < options.Tables; t++)
                Gaussian.Samples(options.Bits * store.Dimension, random).CopyTo(normals, t * options.Bits * store.Dimension);
        }
        _normals = normals;
        _tables = tables ?? [.. Enumerable.Range(0, options.Tables).Select(_ => new BucketTable())];
        if (mean is not null) Centre(mean);
    }

    private void Centre(float[] mean)
    {
        int d = Dimension;
        _mean = mean;
        _thresholds = [.. Enumerable.Range(0, _normals.Length / d).Select(p => TensorPrimitives.Dot(_normals.AsSpan(p * d, d), mean))];
    }

    /// <inheritdoc/>
    public override bool IsTrained => !Options.Centre || _mean is not null;

    /// <summary>Learns the mean subtracted before hashing (only with centring; otherwise checks the shape).</summary>
    public override void Train(ReadOnlySpan<float> vectors)
    {
        if (Options.Centre) Centre(LshCentring.Fit(Store, vectors, TypeName));
        else base.Train(vectors);
    }

    /// <summary>The parameters.</summary>
    public HyperplaneLshOptions Options { get; }

    private int Tables => Options.Tables;

    private int Bits => Options.Bits;

    /// <inheritdoc/>
    public override string Spec => Options.ToSpec();

    /// <inheritdoc/>
    public override void Add(ReadOnlySpan<float> vectors, ReadOnlySpan<long> ids)
    {
        if (!IsTrained) throw LshCentring.NotTrained(TypeName);
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
            int p = (table * Bits) + b;
            if (TensorPrimitives.Dot(_normals.AsSpan(p * d, d), x) >= (_thresholds?[p] ?? 0)) code |= 1UL << b;
        }
        return code;
    }

    /// <inheritdoc/>
    public override SearchStats Search(ReadOnlySpan<float> queries, int k, Span<float> distances, Span<long> ids,
        SearchParameters? parameters = null)
    {
        if (!IsTrained) throw LshCentring.NotTrained(TypeName);
        int radius = (parameters as LshSearchParameters)?.Probes ?? Options.Radius;
        var budget = LshBudget.Of(parameters, Options.Budget);
        if (radius < 0 || radius > 3) throw new LookalikeException($"Hamming radius must be 0..3 (was {radius}).");
        return ParallelSearch.Run(Store, queries, k, distances, ids, parameters, (prepared, top) =>
        {
            // Every table's own bucket first, then the rest of each ball round by round over the tables,
            // so a candidate budget is spent on the nearest codes.
            var walk = StartWalk(prepared, top, budget);
            var balls = new IEnumerator<ulong>[Tables];
            for (int t = 0; t < Tables; t++)
            {
                balls[t] = HammingBall(Code(prepared, t), Bits, radius).GetEnumerator();
                balls[t].MoveNext();
                walk.Offer(_tables[t].Get(balls[t].Current));
            }
            for (bool any = radius > 0; any && !walk.Spent;)
            {
                any = false;
                for (int t = 0; t < Tables && !walk.Spent; t++)
                {
                    if (!balls[t].MoveNext()) continue;
                    any = true;
                    walk.Offer(_tables[t].Get(balls[t].Current));
                }
            }
            return walk.Finish();
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
    public override IVectorIndex CloneEmpty() => new HyperplaneLsh(new VectorStore(Dimension, Metric), Options, _normals, _mean);

    /// <inheritdoc/>
    public override void WriteTo(BinaryWriter writer)
    {
        writer.Write(Options.ToSpec());
        writer.Write(MemoryMarshal.AsBytes(_normals.AsSpan()));
        if (Options.Centre) LshCentring.Write(writer, _mean);
        Store.WriteTo(writer);
        foreach (var table in _tables) table.WriteTo(writer);
    }

    /// <summary>Reads what <see cref="WriteTo"/> wrote.</summary>
    internal static HyperplaneLsh ReadFrom(BinaryReader reader, IndexReading reading)
    {
        var options = HyperplaneLshOptions.Parse(IndexSpecComponent.ParseChain(reader.ReadString())[0]);
        var normals = new float[options.Tables * options.Bits * reading.Dimension];
        reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(normals.AsSpan()));
        var mean = options.Centre ? LshCentring.Read(reader, reading.Dimension) : null;
        var store = VectorStore.ReadFrom(reader, reading.Dimension, reading.Metric, reading.Vectors);
        var tables = Enumerable.Range(0, options.Tables).Select(_ => BucketTable.ReadFrom(reader, store.RowCount)).ToArray();
        return new HyperplaneLsh(store, options, normals, mean, tables);
    }
}

/// <summary>Parameters of <see cref="HyperplaneLsh"/>, with their defaults.</summary>
public sealed record HyperplaneLshOptions
{
    /// <summary>Number of tables.</summary>
    public int Tables { get; init; } = 8;

    /// <summary>Bits (hyperplanes) per table.</summary>
    public int Bits { get; init; } = 16;

    /// <summary>Hamming radius probed around the query's code.</summary>
    public int Radius { get; init; }

    /// <summary>The candidate budget of a search (none by default), and whether it goes by collision counts.</summary>
    public CandidateBudget Budget { get; init; }

    /// <summary>Whether the training mean is subtracted before hashing (the index then needs training).</summary>
    public bool Centre { get; init; }

    /// <summary>Seed of the hyperplanes.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Reads a spec component (absent parameters keep their defaults).</summary>
    public static HyperplaneLshOptions Parse(IndexSpecComponent component)
    {
        component.RejectUnknown(["tables", "bits", "radius", .. LshBudget.ParameterNames, "centre", "seed"]);
        var d = new HyperplaneLshOptions();
        return new HyperplaneLshOptions
        {
            Tables = component.GetInt("tables", d.Tables),
            Bits = component.GetInt("bits", d.Bits),
            Radius = component.GetInt("radius", d.Radius),
            Budget = LshBudget.Parse(component, HyperplaneLsh.TypeName),
            Centre = LshCentring.Parse(component, HyperplaneLsh.TypeName, d.Centre),
            Seed = component.GetInt("seed", d.Seed),
        };
    }

    /// <summary>The spec with every parameter written out (the budget and centring only when set).</summary>
    public string ToSpec() => string.Create(CultureInfo.InvariantCulture,
        $"{HyperplaneLsh.TypeName}(tables={Tables},bits={Bits},radius={Radius},{LshBudget.SpecPart(Budget)}{(Centre ? "centre=1," : "")}seed={Seed})");

    /// <summary>Throws for values out of range.</summary>
    public void Validate()
    {
        if (Tables < 1 || Tables > 1000) throw new LookalikeException($"HyperplaneLsh tables must be 1..1000 (was {Tables}).");
        if (Bits < 1 || Bits > 64) throw new LookalikeException($"HyperplaneLsh bits must be 1..64 (was {Bits}).");
        if (Radius < 0 || Radius > 3) throw new LookalikeException($"HyperplaneLsh radius must be 0..3 (was {Radius}).");
        LshBudget.Validate(HyperplaneLsh.TypeName, Budget);
    }
}

/// <summary>The <see cref="HyperplaneLsh"/> type.</summary>
public sealed class HyperplaneLshDescriptor() : OptionsIndexDescriptor<HyperplaneLshOptions>(HyperplaneLsh.TypeName, HyperplaneLshOptions.Parse,
    (dimension, metric, options, vectors) => new HyperplaneLsh(dimension, metric, options, vectors), HyperplaneLsh.ReadFrom,
    searchTime: (["radius", .. LshBudget.ParameterNames], options => LshBudget.Parameters(options.Radius, options.Budget)));
