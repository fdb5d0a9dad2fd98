using System.Globalization;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Lookalike.Errors;
using Lookalike.Indexes;
using Lookalike.Training.Networks;

namespace Lookalike.Training.Hashing;

/// <summary>
/// Learned hashing: each of <see cref="NeuralLshOptions.Tables"/> tables is a small network (input → dense(H, relu) →
/// dense(J, tanh)) whose J sign bits name one of 2^J buckets. Training takes a sample of the
/// vectors, finds each one's exact nearest neighbours, and in mini-batches of <see cref="NeuralLshOptions.Batch"/>
/// anchors pulls anchors' codes towards a neighbour's and pushes them from <see cref="NeuralLshOptions.Negatives"/>
/// sampled points, with penalties that keep every bit balanced and the bits uncorrelated (so
/// buckets stay evenly filled). Search ranks exactly the members of the query's bucket in every
/// table, plus <see cref="NeuralLshOptions.Probes"/> further buckets per table chosen by flipping the bits the
/// network was least sure of.
/// </summary>
public sealed class NeuralLsh : StoredVectorIndex
{
    /// <summary>The type name in specs and serialized files.</summary>
    public const string TypeName = "NeuralLsh";

    private const int Neighbours = 10;
    private Network[]? _networks;
    private FeatureScaling? _scaling;
    private readonly BucketTable[] _tables;

    /// <summary>Creates an untrained index.</summary>
    public NeuralLsh(int dimension, DistanceMetric metric, NeuralLshOptions options, IVectorSource? vectors = null)
        : this(new VectorStore(dimension, metric, vectors), options)
    {
    }

    private NeuralLsh(VectorStore store, NeuralLshOptions options) : base(store)
    {
        options.Validate(Neighbours);
        Options = options;
        _tables = [.. Enumerable.Range(0, options.Tables).Select(_ => new BucketTable())];
    }

    /// <summary>The parameters.</summary>
    public NeuralLshOptions Options { get; }

    private int Tables => Options.Tables;

    private int Bits => Options.Bits;

    private int Seed => Options.Seed;

    /// <inheritdoc/>
    public override bool IsTrained => _networks is not null;

    /// <inheritdoc/>
    public override string Spec => Options.ToSpec();

    /// <inheritdoc/>
    public override void Train(ReadOnlySpan<float> vectors)
    {
        int n = IndexArguments.RowCount(vectors, Dimension, "the training vectors");
        if (n < Neighbours + 2) throw new LookalikeException($"NeuralLsh needs at least {Neighbours + 2} training vectors (got {n}).");
        var random = new Random(Seed);
        var rows = Enumerable.Range(0, n).ToArray();
        random.Shuffle(rows);
        int m = Math.Min(n, Options.Sample);
        var sample = new float[m * Dimension];
        for (int i = 0; i < m; i++)
        {
            var row = sample.AsSpan(i * Dimension, Dimension);
            vectors.Slice(rows[i] * Dimension, Dimension).CopyTo(row);
            if (Metric == DistanceMetric.Cosine) Distances.Normalize(row);
        }
        _scaling = FeatureScaling.Fit(sample, Dimension);
        var input = _scaling.Apply(sample);
        var neighbours = ExactNeighbours(sample, m);
        _networks = [.. Enumerable.Range(0, Tables).Select(t => TrainTable(input, m, neighbours, new Random(Seed + (7919 * (t + 1)))))];
        Rehash();
    }

    /// <summary>Files every live row into the buckets of the current networks.</summary>
    private void Rehash()
    {
        foreach (var table in _tables) table.Clear();
        for (int row = 0; row < Store.RowCount; row++)
        {
            if (!Store.IsRemoved(row)) Insert(row);
        }
    }

    /// <inheritdoc/>
    public override void Add(ReadOnlySpan<float> vectors, ReadOnlySpan<long> ids)
    {
        if (_networks is null) throw new LookalikeException("Train the NeuralLsh index before adding vectors.");
        int first = Store.Add(vectors, ids);
        for (int row = first; row < Store.RowCount; row++) Insert(row);
    }

    /// <inheritdoc/>
    public override void Remove(ReadOnlySpan<long> ids)
    {
        foreach (int row in Store.Remove(ids))
        {
            var codes = Codes(Store.Row(row));
            for (int t = 0; t < Tables; t++) _tables[t].Remove(Key(codes, t), row);
        }
    }

    /// <inheritdoc/>
    public override SearchStats Search(ReadOnlySpan<float> queries, int k, Span<float> distances, Span<long> ids,
        SearchParameters? parameters = null)
    {
        if (_networks is null) throw new LookalikeException("The NeuralLsh index is not trained.");
        int probes = (parameters as LshSearchParameters)?.Probes ?? Options.Probes;
        if (probes < 0) throw new LookalikeException($"probes must be 0 or more (was {probes}).");
        return ParallelSearch.Run(Store, queries, k, distances, ids, parameters, (prepared, top) =>
        {
            var codes = Codes(prepared);
            var visited = RentVisited();
            for (int t = 0; t < Tables; t++)
            {
                var soft = codes.AsSpan(t * Bits, Bits);
                ulong key = Key(codes, t);
                Visit(_tables[t].Get(key), prepared, visited, top);
                foreach (ulong flips in BitFlips.Sequence(soft, probes)) Visit(_tables[t].Get(key ^ flips), prepared, visited, top);
            }
            return ReturnVisited(visited);
        });
    }

    /// <summary>Sizes of the non-empty buckets of table <paramref name="table"/> (for balance checks).</summary>
    public IReadOnlyList<int> BucketSizes(int table) => _tables[table].Sizes();

    /// <inheritdoc/>
    public override IVectorIndex CloneEmpty() =>
        new NeuralLsh(new VectorStore(Dimension, Metric), Options) { _networks = _networks, _scaling = _scaling };

    /// <inheritdoc/>
    public override void WriteTo(BinaryWriter writer)
    {
        writer.Write(Options.ToSpec());
        writer.Write(_networks is not null);
        if (_networks is not null)
        {
            writer.Write(MemoryMarshal.AsBytes(_scaling!.Mean.AsSpan()));
            writer.Write(MemoryMarshal.AsBytes(_scaling.Scale.AsSpan()));
            foreach (var p in _networks.SelectMany(n => n.Parameters)) writer.Write(MemoryMarshal.AsBytes(p.Value.AsSpan()));
        }
        Store.WriteTo(writer);
        foreach (var table in _tables) table.WriteTo(writer);
    }

    /// <summary>Reads what <see cref="WriteTo"/> wrote.</summary>
    internal static NeuralLsh ReadFrom(BinaryReader reader, IndexReading reading)
    {
        var options = NeuralLshOptions.Parse(IndexSpecComponent.ParseChain(reader.ReadString())[0]);
        int dimension = reading.Dimension;
        bool trained = reader.ReadBoolean();
        float[] mean = new float[dimension], scale = new float[dimension];
        Network[]? networks = null;
        if (trained)
        {
            reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(mean.AsSpan()));
            reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(scale.AsSpan()));
            networks = [.. Enumerable.Range(0, options.Tables).Select(_ => NewNetwork(dimension, options.Hidden, options.Bits, new Random(0)))];
            foreach (var p in networks.SelectMany(n => n.Parameters)) reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(p.Value.AsSpan()));
        }
        var store = VectorStore.ReadFrom(reader, dimension, reading.Metric, reading.Vectors);
        var index = new NeuralLsh(store, options);
        for (int t = 0; t < options.Tables; t++) index._tables[t] = BucketTable.ReadFrom(reader, store.RowCount);
        if (networks is not null) (index._networks, index._scaling) = (networks, new FeatureScaling(mean, scale));
        return index;
    }

    /// <summary>One table's hash network: input → dense(hidden, ReLU) → dense(bits, tanh).</summary>
    private static Network NewNetwork(int dimension, int hidden, int bits, Random random) => new([
        new DenseLayer(dimension, hidden, Activation.Relu, random, "hidden"),
        new DenseLayer(hidden, bits, Activation.Tanh, random, "bits"),
    ]);

    private Network TrainTable(float[] input, int m, int[][] neighbours, Random random)
    {
        var network = NewNetwork(Dimension, Options.Hidden, Bits, random);
        var optimizer = new AdamW(network.Parameters, learningRate: 1e-2);
        var order = Enumerable.Range(0, m).ToArray();
        for (int epoch = 0; epoch < Options.Epochs; epoch++)
        {
            random.Shuffle(order);
            for (int start = 0; start + 1 < m; start += Options.Batch)
            {
                int anchors = Math.Min(Options.Batch, m - start);
                // Rows: the anchors, then one exact neighbour of each; negatives are other rows of the batch.
                int rows = 2 * anchors;
                var x = new float[rows * Dimension];
                var pairs = new List<(int, int)>(anchors);
                var negatives = new List<(int, int)>(anchors * Options.Negatives);
                for (int i = 0; i < anchors; i++)
                {
                    int a = order[start + i];
                    int p = neighbours[a][random.Next(neighbours[a].Length)];
                    input.AsSpan(a * Dimension, Dimension).CopyTo(x.AsSpan(i * Dimension, Dimension));
                    input.AsSpan(p * Dimension, Dimension).CopyTo(x.AsSpan((anchors + i) * Dimension, Dimension));
                    pairs.Add((i, anchors + i));
                    for (int s = 0; s < Options.Negatives; s++)
                    {
                        int other = random.Next(rows - 2);
                        if (other >= Math.Min(i, anchors + i)) other++;
                        if (other >= Math.Max(i, anchors + i)) other++;
                        negatives.Add((i, other));
                    }
                }
                network.ZeroGradients();
                var h = network.Forward(x, rows, training: true);
                var (_, gradient) = HashingLoss.Compute(h, Bits, pairs, negatives);
                network.Backward(gradient, rows);
                optimizer.Step();
            }
        }
        return network;
    }

    private void Insert(int row)
    {
        var codes = Codes(Store.Row(row));
        for (int t = 0; t < Tables; t++) _tables[t].Add(Key(codes, t), row);
    }

    /// <summary>Soft codes of one vector for every table (tables×bits).</summary>
    private float[] Codes(ReadOnlySpan<float> vector)
    {
        var x = _scaling!.Apply(vector);
        var codes = new float[Tables * Bits];
        for (int t = 0; t < Tables; t++) _networks![t].Forward(x, 1, training: false).CopyTo(codes, t * Bits);
        return codes;
    }

    private ulong Key(float[] codes, int table)
    {
        ulong key = 0;
        for (int j = 0; j < Bits; j++)
        {
            if (codes[(table * Bits) + j] >= 0) key |= 1UL << j;
        }
        return key;
    }

    /// <summary>The exact nearest neighbours (by the index's metric) of every sample row among the sample, itself left out.</summary>
    private int[][] ExactNeighbours(float[] sample, int m)
    {
        int k = Math.Min(Neighbours, m - 1), depth = k + 1;
        using var exact = new Flat(Dimension, Metric);
        exact.Add(sample, [.. Enumerable.Range(0, m).Select(i => (long)i)]);
        var ids = new long[m * depth];
        exact.Search(sample, depth, new float[m * depth], ids);
        return [.. Enumerable.Range(0, m).Select(i => ids.AsSpan(i * depth, depth).ToArray()
            .Where(id => id >= 0 && id != i).Take(k).Select(id => (int)id).ToArray())];
    }
}

/// <summary>Parameters of <see cref="NeuralLsh"/>, with their defaults.</summary>
public sealed record NeuralLshOptions
{
    /// <summary>Hash tables L.</summary>
    public int Tables { get; init; } = 10;

    /// <summary>Bits per table J (2^J buckets).</summary>
    public int Bits { get; init; } = 8;

    /// <summary>Hidden units H of each hash network.</summary>
    public int Hidden { get; init; } = 16;

    /// <summary>Negatives sampled per anchor.</summary>
    public int Negatives { get; init; } = 10;

    /// <summary>Anchors per mini-batch.</summary>
    public int Batch { get; init; } = 125;

    /// <summary>Passes over the training sample per table.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Extra buckets probed per table.</summary>
    public int Probes { get; init; }

    /// <summary>Most vectors used for training.</summary>
    public int Sample { get; init; } = 5000;

    /// <summary>Seed of the sample, the networks and the batches.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Reads a spec component (absent parameters keep their defaults).</summary>
    public static NeuralLshOptions Parse(IndexSpecComponent component)
    {
        component.RejectUnknown("tables", "bits", "hidden", "negatives", "batch", "epochs", "probes", "sample", "seed");
        var d = new NeuralLshOptions();
        return new NeuralLshOptions
        {
            Tables = component.GetInt("tables", d.Tables),
            Bits = component.GetInt("bits", d.Bits),
            Hidden = component.GetInt("hidden", d.Hidden),
            Negatives = component.GetInt("negatives", d.Negatives),
            Batch = component.GetInt("batch", d.Batch),
            Epochs = component.GetInt("epochs", d.Epochs),
            Probes = component.GetInt("probes", d.Probes),
            Sample = component.GetInt("sample", d.Sample),
            Seed = component.GetInt("seed", d.Seed),
        };
    }

    /// <summary>The spec with every parameter written out.</summary>
    public string ToSpec() => string.Create(CultureInfo.InvariantCulture,
        $"{NeuralLsh.TypeName}(tables={Tables},bits={Bits},hidden={Hidden},negatives={Negatives},batch={Batch},epochs={Epochs},probes={Probes},sample={Sample},seed={Seed})");

    /// <summary>Throws for values out of range (<paramref name="neighbours"/>: exact neighbours learned per sample vector).</summary>
    public void Validate(int neighbours)
    {
        if (Tables is < 1 or > 100) throw new LookalikeException($"NeuralLsh tables must be 1..100 (was {Tables}).");
        if (Bits is < 1 or > 24) throw new LookalikeException($"NeuralLsh bits must be 1..24 (was {Bits}).");
        if (Hidden < 1 || Negatives < 1 || Batch < 2 || Epochs < 1 || Probes < 0 || Sample < 2 * neighbours)
            throw new LookalikeException($"NeuralLsh needs hidden ≥ 1, negatives ≥ 1, batch ≥ 2, epochs ≥ 1, probes ≥ 0 and sample ≥ {2 * neighbours}.");
    }
}

/// <summary>The <see cref="NeuralLsh"/> type: add it to a registry with <c>IndexRegistry.Builtin.With(new NeuralLshDescriptor())</c>.</summary>
public sealed class NeuralLshDescriptor() : OptionsIndexDescriptor<NeuralLshOptions>(NeuralLsh.TypeName, NeuralLshOptions.Parse,
    (dimension, metric, options, vectors) => new NeuralLsh(dimension, metric, options, vectors), NeuralLsh.ReadFrom);
