using Lookalike.Errors;
using Lookalike.Indexes;
using Lookalike.Tests.Common;
using Xunit.Abstractions;

namespace Lookalike.Core.Tests.Indexes;

public sealed class HnswConformanceTests : VectorIndexConformanceTests
{
    protected override IVectorIndex Create(DistanceMetric metric, int dimension, float[] trainingData) =>
        new Hnsw(dimension, metric, new HnswOptions { M = 8, EfConstruction = 64, EfSearch = 32, Seed = 1 }, Vectors);

    protected override double RecallFloor => 0.95;
}

public sealed class HnswOverSharedVectorsConformanceTests : VectorIndexConformanceTests
{
    protected override bool ReadsSharedVectors => true;

    protected override IVectorIndex Create(DistanceMetric metric, int dimension, float[] trainingData) =>
        IndexRegistry.Builtin.Create(dimension, "Hnsw(m=8,efConstruction=64,efSearch=32,seed=1)", metric, Vectors);

    protected override double RecallFloor => 0.95;
}

public sealed class HnswBehaviourTests(ITestOutputHelper output)
{
    private const int D = 32;

    [Fact]
    public void Recall_rises_with_ef_search_while_visiting_a_small_share_of_the_data()
    {
        float[] data = RecallMeter.Clustered(5000, D, clusters: 50, seed: 7);
        float[] queries = RecallMeter.Clustered(100, D, clusters: 50, seed: 8);
        using var index = new Hnsw(D, DistanceMetric.L2, new HnswOptions { M = 16, EfConstruction = 100, EfSearch = 16 });
        index.Add(data, RandomVectors.Ids(5000));
        Assert.True(index.TopLayer >= 1, "5,000 vectors with M = 16 reach at least layer 1");
        double previous = 0;
        foreach (int ef in new[] { 10, 40, 160 })
        {
            var view = new WithSearchParameters(index, new HnswSearchParameters { EfSearch = ef });
            var (recall, visited) = RecallMeter.Measure(view, data, queries);
            output.WriteLine($"efSearch {ef}: recall {recall:F3}, visited {visited:P1}");
            Assert.True(recall >= previous - 0.01, $"recall fell from {previous:F3} to {recall:F3} at ef {ef}");
            previous = recall;
            if (ef == 40) Assert.True(visited < 0.25, $"ef 40 visited {visited:P1} of the data");
        }
        Assert.True(previous >= 0.98, $"ef 160 reaches only {previous:F3}");
    }

    [Fact]
    public void A_parallel_build_with_many_threads_finds_every_vector_as_an_ordered_build_does()
    {
        float[] data = RecallMeter.Clustered(4000, D, clusters: 40, seed: 11);
        var options = new HnswOptions { M = 8, EfConstruction = 64, EfSearch = 64, Seed = 5 };
        using var ordered = new Hnsw(D, DistanceMetric.L2, options);
        for (int start = 0; start < 4000; start += 500) ordered.Add(data.AsSpan(start * D, 500 * D), RandomVectors.Ids(500, start));
        using var parallel = new Hnsw(D, DistanceMetric.L2, options);
        // Many more threads than cores interleave the insertions as a loaded machine does.
        ThreadPool.GetMinThreads(out int workers, out int ports);
        ThreadPool.SetMinThreads(Math.Max(workers, 24), ports);
        try
        {
            parallel.Add(data, RandomVectors.Ids(4000));
        }
        finally
        {
            ThreadPool.SetMinThreads(workers, ports);
        }
        int inOrder = FoundThemselves(ordered, data), inParallel = FoundThemselves(parallel, data);
        output.WriteLine($"vectors found first by their own query: ordered build {inOrder}, parallel build {inParallel} of 4000");
        Assert.True(inParallel >= inOrder - 3, $"the parallel build finds {inParallel} vectors, the ordered one {inOrder}");
    }

    private static int FoundThemselves(Hnsw index, float[] data)
    {
        int n = data.Length / D;
        var (distances, ids) = (new float[n], new long[n]);
        index.Search(data, 1, distances, ids);
        return Enumerable.Range(0, n).Count(i => ids[i] == i);
    }

    [Fact]
    public void Removed_vectors_are_unlinked_and_the_rest_stay_reachable()
    {
        float[] data = RecallMeter.Clustered(2000, D, clusters: 20, seed: 9);
        using var index = new Hnsw(D, DistanceMetric.Cosine, new HnswOptions { M = 8, EfConstruction = 64, EfSearch = 64 });
        // Batches below Hnsw.ParallelBatch are inserted in order: the same graph every run.
        for (int start = 0; start < 2000; start += 500) index.Add(data.AsSpan(start * D, 500 * D), RandomVectors.Ids(500, start));
        long[] removed = [.. Enumerable.Range(0, 1000).Select(i => (long)(2 * i))];
        index.Remove(removed);
        Assert.Equal(1000, index.Count);
        var (distances, ids) = (new float[10], new long[10]);
        int found = 0, searched = 0;
        for (int q = 0; q < 2000; q += 7)
        {
            var stats = index.Search(data.AsSpan(q * D, D), 10, distances, ids);
            Assert.All(ids, id => Assert.True(id % 2 == 1, $"removed id {id} returned"));
            Assert.True(stats.CandidatesVisited < 1000, $"a walk visited {stats.CandidatesVisited} nodes: removed ones are still linked");
            if (q % 2 == 0) continue;
            searched++;
            if (ids[0] == q) found++;
        }
        output.WriteLine($"{found} of {searched} remaining vectors found themselves first");
        Assert.True(found >= 0.98 * searched, $"only {found} of {searched} remaining vectors found themselves after the repair");
    }

    [Fact]
    public void Adding_after_loading_continues_as_if_never_saved()
    {
        float[] data = RandomVectors.Gaussian(600, D, seed: 10);
        var options = new HnswOptions { M = 8, EfConstruction = 40, EfSearch = 40, Seed = 3 };
        using var whole = new Hnsw(D, DistanceMetric.L2, options);
        whole.Add(data, RandomVectors.Ids(600));
        using var half = new Hnsw(D, DistanceMetric.L2, options);
        half.Add(data.AsSpan(0, 300 * D), RandomVectors.Ids(300));
        using var stream = new MemoryStream();
        IndexRegistry.Save(half, stream);
        stream.Position = 0;
        using var loaded = IndexRegistry.Builtin.Load(stream);
        loaded.Add(data.AsSpan(300 * D), RandomVectors.Ids(300, start: 300));
        var (d1, i1) = (new float[50], new long[50]);
        var (d2, i2) = (new float[50], new long[50]);
        whole.Search(data.AsSpan(0, 5 * D), 10, d1, i1);
        loaded.Search(data.AsSpan(0, 5 * D), 10, d2, i2);
        Assert.Equal(i1, i2);
    }

    [Theory]
    [InlineData("Hnsw(m=1)")]
    [InlineData("Hnsw(efSearch=0)")]
    [InlineData("Hnsw(ef=10)")]
    [InlineData("Hnsw,Flat")]
    public void Bad_specs_are_refused(string spec) =>
        Assert.Throws<LookalikeException>(() => IndexRegistry.Builtin.Create(D, spec, DistanceMetric.L2).Dispose());
}
