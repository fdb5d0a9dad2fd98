using Lookalike.Errors;
using Lookalike.Indexes;
using Lookalike.Tests.Common;
using Xunit.Abstractions;

namespace Lookalike.Core.Tests.Indexes;

public sealed class CrossPolytopeLshTests(ITestOutputHelper output)
{
    private const int D = 48;

    // Non-negative clustered data (as ReLU features are): it lies in one cone, away from the origin.
    private static readonly float[] Data = [.. RecallMeter.Clustered(4000, D, clusters: 40, seed: 8).Select(v => MathF.Abs(v) + 2f)];
    private static readonly float[] Queries = [.. RecallMeter.Clustered(100, D, clusters: 40, seed: 8)
        .Select((v, i) => MathF.Abs(v + (0.3f * RandomVectors.Gaussian(100, D, 91)[i])) + 2f)];

    private static IVectorIndex Built(string spec)
    {
        var index = IndexRegistry.Builtin.Create(D, spec, DistanceMetric.Cosine);
        if (!index.IsTrained) index.Train(Data);
        index.Add(Data, RandomVectors.Ids(Data.Length / D));
        return index;
    }

    [Fact]
    public void The_fast_hadamard_transform_is_the_hadamard_matrix()
    {
        const int n = 16;
        var x = RandomVectors.Gaussian(1, n, 3);
        var fast = x.ToArray();
        FastHadamard.Transform(fast);
        for (int i = 0; i < n; i++)
        {
            // H[i, j] = (−1)^popcount(i & j).
            double expected = Enumerable.Range(0, n).Sum(j => (System.Numerics.BitOperations.PopCount((uint)(i & j)) % 2 == 0 ? 1 : -1) * x[j]);
            Assert.Equal(expected, fast[i], 4);
        }
        Assert.Throws<ArgumentException>(() => FastHadamard.Transform(new float[12]));
    }

    [Fact]
    public void The_rotations_keep_lengths_and_the_vertex_is_the_largest_coordinate()
    {
        var hash = new CrossPolytopeHash(D, tables: 2, hashes: 2, lastDimension: 16, seed: 5);
        Assert.Equal(64, hash.Padded);
        var x = RandomVectors.Gaussian(1, D, 4);
        var rotated = new float[64];
        hash.Rotate(x, 0, 0, rotated);
        double norm = Math.Sqrt(x.Sum(v => (double)v * v)), rotatedNorm = Math.Sqrt(rotated.Sum(v => (double)v * v));
        // Three unnormalised Hadamard rounds scale lengths by √64³.
        Assert.Equal(norm * Math.Pow(8, 3), rotatedNorm, norm * 1e-3);
        int vertex = CrossPolytopeHash.Vertex(rotated);
        Assert.Equal(rotated.Max(MathF.Abs), MathF.Abs(rotated[vertex / 2]));
        Assert.Equal(rotated[vertex / 2] < 0, vertex % 2 == 1);
        var last = new float[64];
        hash.Rotate(x, 1, 1, last);
        Assert.Equal(16, hash.Width(1));
    }

    [Fact]
    public void Probes_are_cheapest_first_and_change_each_function_at_most_once()
    {
        var hash = new CrossPolytopeHash(D, tables: 1, hashes: 2, lastDimension: 0, seed: 5);
        var x = RandomVectors.Gaussian(1, D, 6);
        var alternatives = new (double Gap, int Vertex)[2][];
        var rotated = new float[64];
        for (int j = 0; j < 2; j++)
        {
            hash.Rotate(x, 0, j, rotated);
            alternatives[j] = CrossPolytopeProbing.Alternatives(rotated, 10);
            Assert.Equal(10, alternatives[j].Length);
            Assert.DoesNotContain(alternatives[j], a => a.Vertex == CrossPolytopeHash.Vertex(rotated));
            Assert.True(alternatives[j][0].Gap >= 0);
        }
        var all = CrossPolytopeProbing.Sequence(alternatives).ToList();
        // Each function keeps its vertex or takes one of its 10 alternatives: 11 × 11 − 1 perturbations, every one once.
        Assert.Equal((11 * 11) - 1, all.Count);
        var sequence = all.Take(30).ToList();
        Assert.Equal(alternatives.Min(a => a[0].Gap), sequence[0].Cost, 9);
        for (int i = 1; i < sequence.Count; i++) Assert.True(sequence[i - 1].Cost <= sequence[i].Cost + 1e-9);
        Assert.All(sequence, p => Assert.Equal(p.Changes.Length, p.Changes.Select(c => c.Function).Distinct().Count()));
        Assert.Equal(all.Count, all.Select(p => string.Join(";", p.Changes.Order())).Distinct().Count());
        Assert.All(all, p => Assert.Equal(p.Changes.Sum(c => alternatives[c.Function].Single(a => a.Vertex == c.Vertex).Gap), p.Cost, 9));
    }

    [Fact]
    public void Recall_rises_with_probes_and_tables()
    {
        double previous = 0;
        foreach (string spec in new[] { "tables=2,probes=0", "tables=2,probes=4", "tables=2,probes=16", "tables=8,probes=16" })
        {
            using var index = Built($"CrossPolytopeLsh({spec},hashes=2,seed=3)");
            var (recall, visited) = RecallMeter.Measure(index, Data, Queries);
            output.WriteLine($"{spec}: recall {recall:F3}, visited {visited:P1}");
            Assert.True(recall >= previous, $"recall fell from {previous:F3} to {recall:F3} at {spec}");
            previous = recall;
        }
        Assert.True(previous >= 0.9, $"8 tables × 16 probes reach only {previous:F3}");
    }

    [Theory]
    [InlineData("CrossPolytopeLsh(tables=4,hashes=2,probes=4,centre={0},seed=3)")]
    [InlineData("HyperplaneLsh(tables=4,bits=10,radius=1,centre={0},seed=3)")]
    public void Centring_raises_the_recall_of_data_in_one_cone(string spec)
    {
        using var plain = Built(string.Format(System.Globalization.CultureInfo.InvariantCulture, spec, 0));
        using var centred = Built(string.Format(System.Globalization.CultureInfo.InvariantCulture, spec, 1));
        Assert.True(plain.IsTrained);
        var (plainRecall, plainVisited) = RecallMeter.Measure(plain, Data, Queries);
        var (centredRecall, centredVisited) = RecallMeter.Measure(centred, Data, Queries);
        output.WriteLine($"plain {plainRecall:F3} at {plainVisited:P1}; centred {centredRecall:F3} at {centredVisited:P1}");
        // Through the origin most hyperplanes and vertices miss the cone: few, huge buckets. Centred, the buckets are smaller and as good.
        Assert.True(centredVisited < plainVisited / 2, $"centred visits {centredVisited:P1}, plain {plainVisited:P1}");
        Assert.True(centredRecall / centredVisited > 2 * plainRecall / plainVisited);
    }

    private static void AssertEveryQueryWithin(IVectorIndex index, SearchParameters parameters, int budget)
    {
        var distances = new float[10];
        var ids = new long[10];
        for (int q = 0; q < Queries.Length / D; q++)
        {
            var stats = index.Search(Queries.AsSpan(q * D, D), 10, distances, ids, parameters);
            Assert.True(stats.CandidatesVisited <= budget, $"query {q} visited {stats.CandidatesVisited} > {budget}");
        }
    }

    [Theory]
    [InlineData("CrossPolytopeLsh(tables=8,hashes=1,probes=8,seed=3)")]
    [InlineData("E2Lsh(tables=8,projections=2,width=0.3,probes=8,seed=3)")]
    [InlineData("HyperplaneLsh(tables=8,bits=6,radius=2,seed=3)")]
    public void A_candidate_budget_bounds_every_query_and_keeps_the_best_buckets(string spec)
    {
        using var index = Built(spec);
        var (unbounded, unboundedVisited) = RecallMeter.Measure(index, Data, Queries);
        int budget = (int)(unboundedVisited * Data.Length / D / 4);
        var parameters = new LshSearchParameters { MaxCandidates = budget };
        AssertEveryQueryWithin(index, parameters, budget);
        using var bounded = new WithSearchParameters(index, parameters);
        var (recall, visited) = RecallMeter.Measure(bounded, Data, Queries);
        output.WriteLine($"{spec}: unbounded {unbounded:F3} at {unboundedVisited:P1}; budget {budget}: {recall:F3} at {visited:P1}");
        // The own buckets and cheapest probes come first: a quarter of the candidates keeps more than a quarter of the recall.
        Assert.True(recall > unbounded / 2, $"a quarter of the budget keeps only {recall:F3} of {unbounded:F3}");
    }

    [Theory]
    [InlineData("CrossPolytopeLsh(tables=16,hashes=1,probes=4,seed=3)")]
    [InlineData("E2Lsh(tables=16,projections=2,width=0.3,probes=4,seed=3)")]
    [InlineData("HyperplaneLsh(tables=16,bits=6,radius=1,seed=3)")]
    public void Counting_collisions_spends_a_budget_on_better_candidates(string spec)
    {
        using var index = Built(spec);
        var (_, unboundedVisited) = RecallMeter.Measure(index, Data, Queries);
        int budget = (int)(unboundedVisited * Data.Length / D / 10);
        var firstFound = new LshSearchParameters { MaxCandidates = budget };
        var counted = new LshSearchParameters { MaxCandidates = budget, CountCollisions = true };
        AssertEveryQueryWithin(index, counted, budget);
        using var inOrder = new WithSearchParameters(index, firstFound);
        using var byCount = new WithSearchParameters(index, counted);
        var (orderRecall, _) = RecallMeter.Measure(inOrder, Data, Queries);
        var (countRecall, countVisited) = RecallMeter.Measure(byCount, Data, Queries);
        output.WriteLine($"{spec}: budget {budget} ({countVisited:P1}): first found {orderRecall:F3}, most collided {countRecall:F3}");
        // A true neighbour shares many of the query's buckets; a row found once is most often a stranger.
        Assert.True(countRecall > orderRecall + 0.05, $"counting {countRecall:F3}, probing order {orderRecall:F3}");
    }

    [Fact]
    public void Counting_collisions_is_written_in_the_spec_only_when_set()
    {
        using var counted = Built("CrossPolytopeLsh(tables=4,probes=2,maxCandidates=50,countCollisions=1,seed=3)");
        Assert.Equal("CrossPolytopeLsh(tables=4,hashes=1,lastDimension=0,probes=2,maxCandidates=50,countCollisions=1,centre=1,seed=3)", counted.Spec);
        Assert.Equal("E2Lsh(tables=7,projections=2,width=6,probes=0,maxCandidates=9,countCollisions=1,seed=42)",
            IndexRegistry.Builtin.Create(D, "E2Lsh(maxCandidates=9,countCollisions=1)", DistanceMetric.Cosine).Spec);
        Assert.DoesNotContain("countCollisions", IndexRegistry.Builtin.Create(D, "HyperplaneLsh(maxCandidates=9)", DistanceMetric.Cosine).Spec);
        // The saved index searches as the built one did.
        using var stream = new MemoryStream();
        IndexRegistry.Save(counted, stream);
        stream.Position = 0;
        using var loaded = IndexRegistry.Builtin.Load(stream);
        Assert.Equal(counted.Spec, loaded.Spec);
        Assert.Equal(RecallMeter.Measure(counted, Data, Queries), RecallMeter.Measure(loaded, Data, Queries));
    }

    [Theory]
    [InlineData("CrossPolytopeLsh(lastDimension=12)", "power of two")]
    [InlineData("CrossPolytopeLsh(lastDimension=128)", "power of two in 2..64")]
    [InlineData("CrossPolytopeLsh(hashes=0)", "hashes must be 1..16")]
    [InlineData("CrossPolytopeLsh(centre=2)", "centre must be 0 or 1")]
    [InlineData("E2Lsh(maxCandidates=-1)", "maxCandidates must be 0")]
    [InlineData("HyperplaneLsh(maxCandidates=-5)", "maxCandidates must be 0")]
    [InlineData("E2Lsh(countCollisions=2)", "countCollisions must be 0 or 1")]
    public void Bad_parameters_say_what_is_allowed(string spec, string message)
    {
        var error = Assert.Throws<LookalikeException>(() => IndexRegistry.Builtin.Create(D, spec, DistanceMetric.Cosine));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void A_centred_index_must_be_trained_first()
    {
        using var index = IndexRegistry.Builtin.Create(D, "CrossPolytopeLsh", DistanceMetric.Cosine);
        Assert.False(index.IsTrained);
        var error = Assert.Throws<LookalikeException>(() => index.Add(Data.AsSpan(0, D), [0]));
        Assert.Contains("trained", error.Message);
        Assert.Equal("E2Lsh(tables=7,projections=2,width=6,probes=0,seed=42)", IndexRegistry.Builtin.Create(D, "E2Lsh", DistanceMetric.Cosine).Spec);
    }
}
