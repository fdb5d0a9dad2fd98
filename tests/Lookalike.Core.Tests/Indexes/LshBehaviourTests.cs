using Lookalike.Indexes;
using Lookalike.Tests.Common;
using Xunit.Abstractions;

namespace Lookalike.Core.Tests.Indexes;

public sealed class LshBehaviourTests(ITestOutputHelper output)
{
    private const int D = 32;
    private static readonly float[] Data = RecallMeter.Clustered(3000, D, clusters: 30, seed: 5);
    private static readonly float[] Queries = RecallMeter.Clustered(100, D, clusters: 30, seed: 5)
        .Select((v, i) => v + (0.3f * RandomVectors.Gaussian(100, D, 77)[i])).ToArray();

    private static E2Lsh E2(int tables, int probes = 0) => Filled(new E2Lsh(D, DistanceMetric.L2, new E2LshOptions { Tables = tables, Projections = 4, Width = 16, Probes = probes, Seed = 3 }));

    private static T Filled<T>(T index) where T : IVectorIndex
    {
        index.Add(Data, RandomVectors.Ids(Data.Length / D));
        return index;
    }

    [Fact]
    public void E2Lsh_recall_rises_with_tables_and_reaches_its_floor()
    {
        double previous = 0;
        foreach (int tables in new[] { 1, 2, 4, 8, 16 })
        {
            using var index = E2(tables);
            var (recall, visited) = RecallMeter.Measure(index, Data, Queries);
            output.WriteLine($"tables={tables}: recall {recall:F3}, visited {visited:P1}");
            Assert.True(recall >= previous, $"recall fell from {previous:F3} to {recall:F3} at {tables} tables");
            previous = recall;
        }
        Assert.True(previous >= 0.9, $"16 tables reach only {previous:F3}");
    }

    [Fact]
    public void Multi_probe_recall_rises_with_probes_and_needs_fewer_tables()
    {
        double previous = 0;
        using var index = E2(tables: 4);
        foreach (int probes in new[] { 0, 1, 2, 4, 8, 16 })
        {
            var (recall, visited) = RecallMeter.Measure(index, Data, Queries) is var r && probes == 0
                ? r
                : MeasureWithProbes(index, probes);
            output.WriteLine($"probes={probes}: recall {recall:F3}, visited {visited:P1}");
            Assert.True(recall >= previous, $"recall fell from {previous:F3} to {recall:F3} at {probes} probes");
            previous = recall;
        }
        using var sixteen = E2(tables: 16);
        var (recall16, _) = RecallMeter.Measure(sixteen, Data, Queries);
        Assert.True(previous >= recall16 - 0.02, $"4 tables × 16 probes ({previous:F3}) should match 16 plain tables ({recall16:F3})");
    }

    private static (double, double) MeasureWithProbes(E2Lsh index, int probes)
    {
        using var probing = new WithSearchParameters(index, new LshSearchParameters { Probes = probes });
        return RecallMeter.Measure(probing, Data, Queries);
    }

    [Fact]
    public void Hyperplane_lsh_recall_rises_with_tables_and_radius()
    {
        double previous = 0;
        foreach (int tables in new[] { 1, 4, 16 })
        {
            using var index = Filled(new HyperplaneLsh(D, DistanceMetric.Cosine, new HyperplaneLshOptions { Tables = tables, Bits = 12, Seed = 3 }));
            var (recall, visited) = RecallMeter.Measure(index, Data, Queries);
            output.WriteLine($"hyperplane tables={tables}: recall {recall:F3}, visited {visited:P1}");
            Assert.True(recall >= previous);
            previous = recall;
        }
        using var ball = Filled(new HyperplaneLsh(D, DistanceMetric.Cosine, new HyperplaneLshOptions { Tables = 16, Bits = 12, Radius = 1, Seed = 3 }));
        var (withRadius, _) = RecallMeter.Measure(ball, Data, Queries);
        Assert.True(withRadius >= previous);
        Assert.True(withRadius >= 0.9, $"radius 1 reaches only {withRadius:F3}");
    }

    [Fact]
    public void The_same_seed_gives_the_same_buckets_and_another_seed_does_not()
    {
        using var a = E2(tables: 3);
        using var b = E2(tables: 3);
        using var c = Filled(new E2Lsh(D, DistanceMetric.L2, new E2LshOptions { Tables = 3, Projections = 4, Width = 16, Seed = 4 }));
        Assert.Equal(a.BucketCounts, b.BucketCounts);
        Assert.Equal(a.Spec, IndexRegistry.Builtin.Create(D, a.Spec, DistanceMetric.L2).Spec);
        Assert.NotEqual(a.BucketCounts, c.BucketCounts);
    }

    [Fact]
    public void The_probe_sequence_is_ordered_by_score_and_valid()
    {
        double[] fraction = [0.1, 0.7, 0.45];
        var sequence = MultiProbe.Sequence(fraction, 20).ToList();
        Assert.Equal(20, sequence.Count);
        double Score((int Coordinate, int Delta)[] p) =>
            p.Sum(x => x.Delta < 0 ? fraction[x.Coordinate] * fraction[x.Coordinate] : (1 - fraction[x.Coordinate]) * (1 - fraction[x.Coordinate]));
        Assert.Equal([(0, -1)], sequence[0]);
        Assert.Equal([(1, +1)], sequence[1]);
        for (int i = 1; i < sequence.Count; i++) Assert.True(Score(sequence[i - 1]) <= Score(sequence[i]) + 1e-12);
        Assert.All(sequence, p => Assert.Equal(p.Length, p.Select(x => x.Coordinate).Distinct().Count()));
        Assert.Equal(sequence.Count, sequence.Select(p => string.Join(";", p.Order())).Distinct().Count());
    }
}
