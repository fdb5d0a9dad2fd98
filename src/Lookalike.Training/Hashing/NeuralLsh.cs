using System.Globalization;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Lookalike.Errors;
using Lookalike.Indexes;
using Lookalike.Training.Networks;

namespace Lookalike.Training.Hashing;

/// <summary>
/// Learned hashing: each of <see cref="Tables"/> tables is a small network (input → dense(H, relu) →
/// dense(J, tanh)) whose J sign bits name one of 2^J buckets. Training takes a sample of the
/// vectors, finds each one's exact nearest neighbours, and in mini-batches of <see cref="Batch"/>
/// anchors pulls anchors' codes towards a neighbour's and pushes them from <see cref="Negatives"/>
/// sampled points, with penalties that keep every bit balanced and the bits uncorrelated (so
/// buckets stay evenly filled). Search ranks exactly the members of the query's bucket in every
/// table, plus <see cref="Probes"/> further buckets per table chosen by flipping the bits the
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
    public NeuralLsh(int dimension, DistanceMetric metric, int tables = 10, int bits = 8, int hidden = 16, int negatives = 10, int batch = 125,
        int epochs = 10, int probes = 0, int sample = 5000, int seed = 42)
        : this(new VectorStore(dimension, metric), tables, bits, hidden, negatives, batch, epochs, probes, sample, seed)
    {
    }

    private NeuralLsh(VectorStore store, int tables, int bits, int hidden, int negatives, int batch, int epochs, int probes, int sample, int seed)
        : base(store)
    {
        if (tables is < 1 or > 100) throw new LookalikeException($"NeuralLsh tables must be 1..100 (was {tables}).");
        if (bits is < 1 or > 24) throw new LookalikeException($"NeuralLsh bits must be 1..24 (was {bits}).");
        if (hidden < 1 || negatives < 1 || batch < 2 || epochs < 1 || probes < 0 || sample < 2 * Neighbours)
            throw new LookalikeException("NeuralLsh needs hidden ≥ 1, negatives ≥ 1, batch ≥ 2, epochs ≥ 1, probes ≥ 0 and sample ≥ 20.");
        (Tables, Bits, Hidden, Negatives, Batch, Epochs, Probes, Sample, Seed) = (tables, bits, hidden, negatives, batch, epochs, probes, sample, seed);
        _tables = [.. Enumerable.Range(0, tables).Select(_ => new BucketTable())];
    }

    /// <summary>Hash tables L.</summary>
    public int Tables { get; }

    /// <summary>Bits per table J (2^J buckets).</summary>
    public int Bits { get; }

    /// <summary>Hidden units H of each hash network.</summary>
    public int Hidden { get; }

    /// <summary>Negatives sampled per anchor.</summary>
    public int Negatives { get; }

    /// <summary>Anchors per mini-batch.</summary>
    public int Batch { get; }

    /// <summary>Passes over the training sample per table.</summary>
    public int Epochs { get; }

    /// <summary>Extra buckets probed per table.</summary>
    public int Probes { get; }

    /// <summary>Most vectors used for training.</summary>
    public int Sample { get; }

    /// <summary>Seed of the sample, the networks and the batches.</summary>
    public int Seed { get; }

    /// <inheritdoc/>
    public override bool IsTrained => _networks is not null;

    /// <inheritdoc/>
    public override string Spec => string.Create(CultureInfo.InvariantCulture,
        $"{TypeName}(tables={Tables},bits={Bits},hidden={Hidden},negatives={Negatives},batch={Batch},epochs={Epochs},probes={Probes},sample={Sample},seed={Seed})");

    /// <summary>Registers the type with <see cref="IndexFactory"/> and <see cref="IndexSerializer"/>.</summary>
    public static void Register()
    {
        IndexFactory.Register(TypeName, (d, metric, spec) =>
        {
            spec.RejectUnknown("tables", "bits", "hidden", "negatives", "batch", "epochs", "probes", "sample", "seed");
            return new NeuralLsh(d, metric, spec.GetInt("tables", 10), spec.GetInt("bits", 8), spec.GetInt("hidden", 16), spec.GetInt("negatives", 10),
                spec.GetInt("batch", 125), spec.GetInt("epochs", 10), spec.GetInt("probes", 0), spec.GetInt("sample", 5000), spec.GetInt("seed", 42));
        });
        IndexSerializer.Register(TypeName, ReadFrom);
    }

    /// <inheritdoc/>
    public override void Train(ReadOnlySpan<float> vectors)
    {
        int n = IndexArguments.RowCount(vectors, Dimension, "the training vectors");
        if (n < Neighbours + 2) throw new LookalikeException($"NeuralLsh needs at least {Neighbours + 2} training vectors (got {n}).");
        var random = new Random(Seed);
        var rows = Enumerable.Range(0, n).ToArray();
        random.Shuffle(rows);
        int m = Math.Min(n, Sample);
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
        int probes = (parameters as LshSearchParameters)?.Probes ?? Probes;
        if (probes < 0) throw new LookalikeException($"probes must be 0 or more (was {probes}).");
        return ParallelSearch.Run(Dimension, queries, k, distances, ids, (query, top) =>
        {
            var prepared = Store.PrepareQuery(query);
            var codes = Codes(prepared);
            var visited = new HashSet<int>();
            for (int t = 0; t < Tables; t++)
            {
                var soft = codes.AsSpan(t * Bits, Bits);
                ulong key = Key(codes, t);
                Visit(_tables[t].Get(key), prepared, visited, top);
                foreach (ulong flips in BitFlips.Sequence(soft, probes)) Visit(_tables[t].Get(key ^ flips), prepared, visited, top);
            }
            return (visited.Count, visited.Count);
        });
    }

    /// <summary>Sizes of the non-empty buckets of table <paramref name="table"/> (for balance checks).</summary>
    public IReadOnlyList<int> BucketSizes(int table) => _tables[table].Sizes();

    /// <inheritdoc/>
    public override void WriteTo(BinaryWriter writer)
    {
        foreach (int v in new[] { Tables, Bits, Hidden, Negatives, Batch, Epochs, Probes, Sample, Seed }) writer.Write(v);
        writer.Write(_networks is not null);
        if (_networks is not null)
        {
            writer.Write(MemoryMarshal.AsBytes(_scaling!.Mean.AsSpan()));
            writer.Write(MemoryMarshal.AsBytes(_scaling.Scale.AsSpan()));
            foreach (var p in _networks.SelectMany(n => n.Parameters)) writer.Write(MemoryMarshal.AsBytes(p.Value.AsSpan()));
        }
        Store.WriteTo(writer);
    }

    /// <summary>Reads what <see cref="WriteTo"/> wrote; buckets are rebuilt from the stored rows.</summary>
    internal static NeuralLsh ReadFrom(BinaryReader reader, int dimension, DistanceMetric metric)
    {
        var v = Enumerable.Range(0, 9).Select(_ => reader.ReadInt32()).ToArray();
        bool trained = reader.ReadBoolean();
        float[] mean = new float[dimension], scale = new float[dimension];
        Network[]? networks = null;
        if (trained)
        {
            reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(mean.AsSpan()));
            reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(scale.AsSpan()));
            networks = [.. Enumerable.Range(0, v[0]).Select(_ => NewNetwork(dimension, v[2], v[1], new Random(0)))];
            foreach (var p in networks.SelectMany(n => n.Parameters)) reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(p.Value.AsSpan()));
        }
        // Rows are stored as searched: the same row numbers and codes as before saving.
        var index = new NeuralLsh(VectorStore.ReadFrom(reader, dimension, metric), v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]);
        if (networks is not null)
        {
            (index._networks, index._scaling) = (networks, new FeatureScaling(mean, scale));
            index.Rehash();
        }
        return index;
    }

    /// <summary>One table's hash network: input → dense(hidden, ReLU) → dense(bits, tanh).</summary>
    private static Network NewNetwork(int dimension, int hidden, int bits, Random random) => new([
        new DenseLayer(dimension, hidden, Activation.Relu, random, "hidden"),
        new DenseLayer(hidden, bits, Activation.Tanh, random, "bits"),
    ]);

    private Network TrainTable(float[] input, int m, int[][] neighbours, Random random)
    {
        var network = NewNetwork(Dimension, Hidden, Bits, random);
        var optimizer = new AdamW(network.Parameters, learningRate: 1e-2);
        var order = Enumerable.Range(0, m).ToArray();
        for (int epoch = 0; epoch < Epochs; epoch++)
        {
            random.Shuffle(order);
            for (int start = 0; start + 1 < m; start += Batch)
            {
                int anchors = Math.Min(Batch, m - start);
                // Rows: the anchors, then one exact neighbour of each; negatives are other rows of the batch.
                int rows = 2 * anchors;
                var x = new float[rows * Dimension];
                var pairs = new List<(int, int)>(anchors);
                var negatives = new List<(int, int)>(anchors * Negatives);
                for (int i = 0; i < anchors; i++)
                {
                    int a = order[start + i];
                    int p = neighbours[a][random.Next(neighbours[a].Length)];
                    input.AsSpan(a * Dimension, Dimension).CopyTo(x.AsSpan(i * Dimension, Dimension));
                    input.AsSpan(p * Dimension, Dimension).CopyTo(x.AsSpan((anchors + i) * Dimension, Dimension));
                    pairs.Add((i, anchors + i));
                    for (int s = 0; s < Negatives; s++)
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
