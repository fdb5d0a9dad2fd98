using System.Globalization;
using System.Numerics;
using System.Numerics.Tensors;
using Lookalike.Errors;

namespace Lookalike.Indexes;

/// <summary>
/// Cross-polytope LSH for angular distance — Andoni, Indyk, Laarhoven, Razenshteyn &amp; Schmidt,
/// "Practical and Optimal LSH for Angular Distance", NeurIPS 2015, as FALCONN implements it: L
/// tables, each keying a vector by <c>hashes</c> cross-polytope hashes (<see cref="CrossPolytopeHash"/>),
/// with multi-probe over all tables cheapest first (<see cref="CrossPolytopeProbing"/>) and an
/// optional budget of candidates per query. Candidates are ranked by exact distance.
/// </summary>
/// <remarks>
/// With <c>centre=1</c> (the default) the index is trained: the mean of the training vectors (as
/// compared: normalised for cosine) is subtracted before hashing, so that data lying in one cone
/// (ReLU features are all non-negative) spreads over every vertex. Concurrent searches are safe;
/// <see cref="Add"/> and <see cref="Remove"/> need exclusive access.
/// </remarks>
public sealed class CrossPolytopeLsh : StoredVectorIndex
{
    /// <summary>The type name in specs and serialized files.</summary>
    public const string TypeName = "CrossPolytopeLsh";

    private readonly CrossPolytopeHash _hash;
    private readonly BucketTable[] _tables;
    private float[]? _mean;

    /// <summary>Creates an empty index; its rotations are drawn from the options' seed.</summary>
    public CrossPolytopeLsh(int dimension, DistanceMetric metric, CrossPolytopeLshOptions options, IVectorSource? vectors = null)
        : this(new VectorStore(dimension, metric, vectors), options, null, null)
    {
    }

    private CrossPolytopeLsh(VectorStore store, CrossPolytopeLshOptions options, float[]? mean, BucketTable[]? tables)
        : base(store)
    {
        options.Validate(store.Dimension);
        Options = options;
        _hash = new CrossPolytopeHash(store.Dimension, options.Tables, options.Hashes, options.LastDimension, options.Seed);
        _mean = mean;
        _tables = tables ?? [.. Enumerable.Range(0, options.Tables).Select(_ => new BucketTable())];
    }

    /// <summary>The parameters.</summary>
    public CrossPolytopeLshOptions Options { get; }

    /// <inheritdoc/>
    public override string Spec => Options.ToSpec();

    /// <inheritdoc/>
    public override bool IsTrained => !Options.Centre || _mean is not null;

    /// <summary>Learns the mean subtracted before hashing (only with centring; otherwise checks the shape).</summary>
    public override void Train(ReadOnlySpan<float> vectors)
    {
        if (Options.Centre) _mean = LshCentring.Fit(Store, vectors, TypeName);
        else base.Train(vectors);
    }

    /// <inheritdoc/>
    public override void Add(ReadOnlySpan<float> vectors, ReadOnlySpan<long> ids)
    {
        if (!IsTrained) throw LshCentring.NotTrained(TypeName);
        int first = Store.Add(vectors, ids);
        int added = Store.RowCount - first, tables = Options.Tables;
        var keys = new ulong[added * tables];
        Parallel.For(0, added, () => new Scratch(this), (i, _, scratch) =>
        {
            var hashed = Hashed(Store.Row(first + i, scratch.Row), scratch.Centred);
            for (int t = 0; t < tables; t++) keys[(i * tables) + t] = Key(hashed, t, scratch);
            return scratch;
        }, _ => { });
        for (int i = 0; i < added; i++)
        {
            for (int t = 0; t < tables; t++) _tables[t].Add(keys[(i * tables) + t], first + i);
        }
    }

    /// <inheritdoc/>
    public override void Remove(ReadOnlySpan<long> ids)
    {
        var scratch = new Scratch(this);
        foreach (int row in Store.Remove(ids))
        {
            var hashed = Hashed(Store.Row(row, scratch.Row), scratch.Centred);
            for (int t = 0; t < Options.Tables; t++) _tables[t].Remove(Key(hashed, t, scratch), row);
        }
    }

    /// <summary>A vector as hashed: itself, or minus the mean (into <paramref name="buffer"/>).</summary>
    private ReadOnlySpan<float> Hashed(ReadOnlySpan<float> prepared, Span<float> buffer)
    {
        if (_mean is null) return prepared;
        TensorPrimitives.Subtract(prepared, _mean, buffer);
        return buffer;
    }

    private ulong Key(ReadOnlySpan<float> hashed, int table, Scratch scratch)
    {
        _hash.Code(hashed, table, scratch.Code, scratch.Rotated);
        return BucketTable.Key(scratch.Code);
    }

    /// <inheritdoc/>
    public override SearchStats Search(ReadOnlySpan<float> queries, int k, Span<float> distances, Span<long> ids,
        SearchParameters? parameters = null)
    {
        if (!IsTrained) throw LshCentring.NotTrained(TypeName);
        int probes = (parameters as LshSearchParameters)?.Probes ?? Options.Probes;
        var budget = LshBudget.Of(parameters, Options.Budget);
        if (probes < 0) throw new LookalikeException($"probes must be 0 or more (was {probes}).");
        int tables = Options.Tables, hashes = Options.Hashes;
        return ParallelSearch.Run(Store, queries, k, distances, ids, parameters, (prepared, top) =>
        {
            var walk = StartWalk(prepared, top, budget);
            var scratch = new Scratch(this);
            var hashed = Hashed(prepared, scratch.Centred);
            var codes = new int[tables * hashes];
            var alternatives = probes == 0 ? null : new (double, int)[tables][][];
            for (int t = 0; t < tables && !walk.Spent; t++)
            {
                var code = codes.AsSpan(t * hashes, hashes);
                if (alternatives is not null) alternatives[t] = new (double, int)[hashes][];
                for (int j = 0; j < hashes; j++)
                {
                    var rotated = scratch.Rotated[.._hash.Width(j)];
                    _hash.Rotate(hashed, t, j, rotated);
                    code[j] = CrossPolytopeHash.Vertex(rotated);
                    if (alternatives is not null) alternatives[t][j] = CrossPolytopeProbing.Alternatives(rotated, Math.Min(probes, (2 * rotated.Length) - 1));
                }
                walk.Offer(_tables[t].Get(BucketTable.Key(code)));
            }
            if (alternatives is null || walk.Spent) return walk.Finish();
            var sequences = alternatives.Select(a => CrossPolytopeProbing.Sequence(a)).ToArray();
            var probe = new int[hashes];
            foreach (var (table, changes) in CrossPolytopeProbing.Merge(sequences, probes * sequences.Length))
            {
                codes.AsSpan(table * hashes, hashes).CopyTo(probe);
                foreach (var (function, vertex) in changes) probe[function] = vertex;
                walk.Offer(_tables[table].Get(BucketTable.Key(probe)));
                if (walk.Spent) break;
            }
            return walk.Finish();
        });
    }

    /// <inheritdoc/>
    public override IVectorIndex CloneEmpty() => new CrossPolytopeLsh(new VectorStore(Dimension, Metric), Options, _mean, null);

    /// <inheritdoc/>
    public override void WriteTo(BinaryWriter writer)
    {
        writer.Write(Options.ToSpec());
        LshCentring.Write(writer, _mean);
        Store.WriteTo(writer);
        foreach (var table in _tables) table.WriteTo(writer);
    }

    /// <summary>Reads what <see cref="WriteTo"/> wrote (the rotations are drawn again from the seed).</summary>
    internal static CrossPolytopeLsh ReadFrom(BinaryReader reader, IndexReading reading)
    {
        var options = CrossPolytopeLshOptions.Parse(IndexSpecComponent.ParseChain(reader.ReadString())[0]);
        var mean = LshCentring.Read(reader, reading.Dimension);
        var store = VectorStore.ReadFrom(reader, reading.Dimension, reading.Metric, reading.Vectors);
        var tables = Enumerable.Range(0, options.Tables).Select(_ => BucketTable.ReadFrom(reader, store.RowCount)).ToArray();
        return new CrossPolytopeLsh(store, options, mean, tables);
    }

    /// <summary>Per-thread buffers of one hashing pass.</summary>
    private sealed class Scratch(CrossPolytopeLsh index)
    {
        public float[] Row { get; } = new float[index.Dimension];

        public float[] Centred { get; } = new float[index.Dimension];

        public float[] Rotated { get; } = new float[index._hash.Padded];

        public int[] Code { get; } = new int[index.Options.Hashes];
    }
}

/// <summary>Parameters of <see cref="CrossPolytopeLsh"/>, with their defaults.</summary>
public sealed record CrossPolytopeLshOptions
{
    /// <summary>Number of hash tables L.</summary>
    public int Tables { get; init; } = 16;

    /// <summary>Cross-polytope hashes per table k.</summary>
    public int Hashes { get; init; } = 1;

    /// <summary>Width of the last hash of each table (a power of two, at most the padded dimension); 0 for the padded dimension.</summary>
    public int LastDimension { get; init; }

    /// <summary>Extra buckets probed per table on average (L × probes in all, cheapest first over every table).</summary>
    public int Probes { get; init; }

    /// <summary>The candidate budget of a search (none by default), and whether it goes by collision counts.</summary>
    public CandidateBudget Budget { get; init; }

    /// <summary>Whether the training mean is subtracted before hashing.</summary>
    public bool Centre { get; init; } = true;

    /// <summary>Seed of the rotations.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Reads a spec component (absent parameters keep their defaults).</summary>
    public static CrossPolytopeLshOptions Parse(IndexSpecComponent component)
    {
        component.RejectUnknown(["tables", "hashes", "lastdimension", "probes", .. LshBudget.ParameterNames, "centre", "seed"]);
        var d = new CrossPolytopeLshOptions();
        return new CrossPolytopeLshOptions
        {
            Tables = component.GetInt("tables", d.Tables),
            Hashes = component.GetInt("hashes", d.Hashes),
            LastDimension = component.GetInt("lastdimension", d.LastDimension),
            Probes = component.GetInt("probes", d.Probes),
            Budget = LshBudget.Parse(component, CrossPolytopeLsh.TypeName),
            Centre = LshCentring.Parse(component, CrossPolytopeLsh.TypeName, d.Centre),
            Seed = component.GetInt("seed", d.Seed),
        };
    }

    /// <summary>The spec with every parameter written out.</summary>
    public string ToSpec() => string.Create(CultureInfo.InvariantCulture,
        $"{CrossPolytopeLsh.TypeName}(tables={Tables},hashes={Hashes},lastDimension={LastDimension},probes={Probes},{LshBudget.SpecPart(Budget, always: true)}centre={(Centre ? 1 : 0)},seed={Seed})");

    /// <summary>Throws for values out of range for <paramref name="dimension"/>-d vectors.</summary>
    public void Validate(int dimension)
    {
        int padded = (int)BitOperations.RoundUpToPowerOf2((uint)dimension);
        if (Tables < 1 || Tables > 1000) throw new LookalikeException($"CrossPolytopeLsh tables must be 1..1000 (was {Tables}).");
        if (Hashes < 1 || Hashes > 16) throw new LookalikeException($"CrossPolytopeLsh hashes must be 1..16 (was {Hashes}).");
        if (LastDimension != 0 && (LastDimension < 2 || LastDimension > padded || !BitOperations.IsPow2(LastDimension)))
            throw new LookalikeException($"CrossPolytopeLsh lastDimension must be 0 or a power of two in 2..{padded} (was {LastDimension}).");
        if (Probes < 0) throw new LookalikeException($"CrossPolytopeLsh probes must be 0 or more (was {Probes}).");
        LshBudget.Validate(CrossPolytopeLsh.TypeName, Budget);
    }
}

/// <summary>The <see cref="CrossPolytopeLsh"/> type.</summary>
public sealed class CrossPolytopeLshDescriptor() : OptionsIndexDescriptor<CrossPolytopeLshOptions>(CrossPolytopeLsh.TypeName, CrossPolytopeLshOptions.Parse,
    (dimension, metric, options, vectors) => new CrossPolytopeLsh(dimension, metric, options, vectors), CrossPolytopeLsh.ReadFrom,
    searchTime: (["probes", .. LshBudget.ParameterNames], options => LshBudget.Parameters(options.Probes, options.Budget)));
