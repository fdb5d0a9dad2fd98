using Lookalike.Indexes;
using Lookalike.Tests.Common;
using Lookalike.Training.Hashing;

namespace Lookalike.Training.Tests;

public sealed class NeuralLshConformanceTests : VectorIndexConformanceTests
{
    // Four bits per table, two probes, eight tables: on Gaussian data most neighbours share a probed bucket.
    protected override IVectorIndex Create(DistanceMetric metric, int dimension, float[] trainingData)
    {
        var index = Registry.Create(dimension, "NeuralLsh(tables=8,bits=4,hidden=16,epochs=5,probes=2,seed=3)", metric, Vectors);
        index.Train(trainingData.Length >= 100 * dimension ? trainingData : RandomVectors.Gaussian(300, dimension, seed: 8));
        return index;
    }

    protected override double RecallFloor => 0.7;

    protected override IndexRegistry Registry { get; } = IndexRegistry.Builtin.With(new NeuralLshDescriptor());
}

/// <summary>The same contract with the rows read from shared vectors (as a collection's saved index reads them).</summary>
public sealed class NeuralLshOverSharedVectorsConformanceTests : VectorIndexConformanceTests
{
    protected override bool ReadsSharedVectors => true;

    protected override IVectorIndex Create(DistanceMetric metric, int dimension, float[] trainingData)
    {
        var index = Registry.Create(dimension, "NeuralLsh(tables=8,bits=4,hidden=16,epochs=5,probes=2,seed=3)", metric, Vectors);
        index.Train(trainingData.Length >= 100 * dimension ? trainingData : RandomVectors.Gaussian(300, dimension, seed: 8));
        return index;
    }

    protected override double RecallFloor => 0.7;

    protected override IndexRegistry Registry { get; } = IndexRegistry.Builtin.With(new NeuralLshDescriptor());
}

public sealed class NeuralLshBehaviourTests
{
    [Fact]
    public void Learned_buckets_beat_random_hyperplanes_with_as_many_buckets()
    {
        // 40 clusters in 32-d: a learned partition can follow the clusters, random hyperplanes cut through them.
        const int d = 32;
        // Queries come from the same clusters as the data (the same seed draws the same centres).
        float[] all = RecallMeter.Clustered(6200, d, clusters: 40, seed: 11);
        float[] data = all[..(6000 * d)], queries = all[(6000 * d)..];
        long[] ids = RandomVectors.Ids(6000);

        using var neural = new NeuralLsh(d, DistanceMetric.L2, new NeuralLshOptions { Tables = 2, Bits = 6, Hidden = 32, Epochs = 8, Sample = 3000, Seed = 5 });
        neural.Train(data);
        neural.Add(data, ids);
        using var random = new HyperplaneLsh(d, DistanceMetric.L2, new HyperplaneLshOptions { Tables = 2, Bits = 6, Radius = 0, Seed = 5 });
        random.Add(data, ids);

        var (neuralRecall, neuralVisited) = RecallMeter.Measure(neural, data, queries);
        var (randomRecall, randomVisited) = RecallMeter.Measure(random, data, queries);
        Assert.True(neuralRecall > randomRecall + 0.1 && neuralRecall > 0.9,
            $"NeuralLsh recall {neuralRecall:F3} (visited {neuralVisited:P1}) vs hyperplanes {randomRecall:F3} (visited {randomVisited:P1})");
        // Balanced: no bucket holds more than a fifth of the data (64 buckets; perfectly even would be 1/64).
        Assert.True(neural.BucketSizes(0).Max() < 6000 / 5, $"largest bucket {neural.BucketSizes(0).Max()}");
    }

    [Fact]
    public void Probing_more_buckets_visits_more_and_finds_more()
    {
        const int d = 16;
        float[] all = RecallMeter.Clustered(3100, d, clusters: 30, seed: 21);
        float[] data = all[..(3000 * d)], queries = all[(3000 * d)..];
        using var index = new NeuralLsh(d, DistanceMetric.Cosine, new NeuralLshOptions { Tables = 2, Bits = 8, Hidden = 16, Epochs = 5, Probes = 0, Seed = 2 });
        index.Train(data);
        index.Add(data, RandomVectors.Ids(3000));
        double lastRecall = -1, lastVisited = -1;
        foreach (int probes in new[] { 0, 4, 32 })
        {
            var distances = new float[1000];
            var found = new long[1000];
            var stats = index.Search(queries, 10, distances, found, new LshSearchParameters { Probes = probes });
            var exact = new Flat(d, DistanceMetric.Cosine);
            exact.Add(data, RandomVectors.Ids(3000));
            var truth = new long[1000];
            exact.Search(queries, 10, new float[1000], truth);
            double recall = Enumerable.Range(0, 100).Average(q => found.AsSpan(q * 10, 10).ToArray().Intersect(truth.AsSpan(q * 10, 10).ToArray()).Count() / 10.0);
            Assert.True(stats.VisitedPerQuery > lastVisited && recall >= lastRecall, $"probes {probes}: recall {recall}, visited {stats.VisitedPerQuery}");
            (lastRecall, lastVisited) = (recall, stats.VisitedPerQuery);
        }
    }

    [Fact]
    public void The_hashing_loss_gradient_matches_central_differences()
    {
        const int bits = 5, rows = 8;
        float[] h = [.. RandomVectors.Gaussian(rows, bits, seed: 4).Select(v => MathF.Tanh(v))];
        (int, int)[] pairs = [(0, 4), (1, 5), (2, 6), (3, 7)];
        (int, int)[] negatives = [(0, 1), (0, 6), (1, 7), (2, 3), (3, 0)];
        var (_, analytic) = HashingLoss.Compute(h, bits, pairs, negatives, margin: -0.5);
        double worst = 0;
        for (int i = 0; i < h.Length; i++)
        {
            float original = h[i];
            h[i] = original + 1e-3f;
            double up = HashingLoss.Compute(h, bits, pairs, negatives, margin: -0.5).Loss;
            h[i] = original - 1e-3f;
            double down = HashingLoss.Compute(h, bits, pairs, negatives, margin: -0.5).Loss;
            h[i] = original;
            double numerical = (up - down) / 2e-3;
            worst = Math.Max(worst, Math.Abs(numerical - analytic[i]) / Math.Max(1e-2, Math.Abs(numerical) + Math.Abs(analytic[i])));
        }
        Assert.True(worst < 0.02, $"worst relative error {worst:G3}");
    }
}
