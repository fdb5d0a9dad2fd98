using Lookalike.Errors;
using Lookalike.Indexes;
using Lookalike.Tests.Common;

namespace Lookalike.Core.Tests.Indexes;

public sealed class IvfPcaBehaviourTests
{
    [Fact]
    public void Faiss_short_forms_build_a_pca_chain()
    {
        using var index = IndexRegistry.Builtin.Create(32, "PCA8,IVF16", DistanceMetric.L2);
        var chain = Assert.IsType<PcaIndex>(index);
        Assert.Equal(8, chain.Options.Dims);
        Assert.IsType<Ivf>(chain.Inner);
        Assert.Equal("Pca(dims=8,seed=42),Ivf(lists=16,nprobe=1,seed=42)", index.Spec);
        Assert.False(index.IsTrained);
        using var again = IndexRegistry.Builtin.Create(32, index.Spec, DistanceMetric.L2);
        Assert.Equal(index.Spec, again.Spec);
    }

    [Fact]
    public void Chains_compose_recursively_as_in_faiss()
    {
        using var nested = IndexRegistry.Builtin.Create(32, "PCA16,PCA8,IVF4,Flat", DistanceMetric.L2);
        var outer = Assert.IsType<PcaIndex>(nested);
        var inner = Assert.IsType<PcaIndex>(outer.Inner);
        Assert.IsType<Ivf>(inner.Inner);
        Assert.Equal("Pca(dims=16,seed=42),Pca(dims=8,seed=42),Ivf(lists=4,nprobe=1,seed=42)", nested.Spec);
        float[] data = RandomVectors.Gaussian(200, 32, seed: 4);
        nested.Train(data);
        nested.Add(data, RandomVectors.Ids(200));
        var (distances, ids) = (new float[1], new long[1]);
        nested.Search(data.AsSpan(5 * 32, 32), 1, distances, ids, new IvfSearchParameters { NProbe = 4 });
        Assert.Equal(5, ids[0]);
        using var stream = new MemoryStream();
        IndexRegistry.Save(nested, stream);
        stream.Position = 0;
        using var loaded = IndexRegistry.Builtin.Load(stream);
        Assert.Equal(nested.Spec, loaded.Spec);
        Assert.Equal(200, loaded.Count);
    }

    [Theory]
    [InlineData("Flat,Flat")]
    [InlineData("E2Lsh,Ivf")]
    [InlineData("Ivf(lists=4),Pca(dims=2)")]
    [InlineData("PCA64")]
    [InlineData("PCA40,Flat")]
    [InlineData("Ivf(lists=0)")]
    [InlineData("Ivf(lists=4,nprobe=5)")]
    public void Bad_chains_are_refused(string spec) =>
        Assert.Throws<LookalikeException>(() => IndexRegistry.Builtin.Create(32, spec, DistanceMetric.L2).Dispose());

    [Fact]
    public void More_probes_visit_more_and_find_more()
    {
        float[] data = RecallMeter.Clustered(4000, 16, clusters: 40, seed: 5);
        float[] queries = RecallMeter.Clustered(100, 16, clusters: 40, seed: 6);
        using var index = new Ivf(16, DistanceMetric.L2, new IvfOptions { Lists = 64, NProbe = 1 });
        index.Train(data);
        index.Add(data, RandomVectors.Ids(4000));
        var previous = (Recall: 0.0, Visited: 0.0);
        foreach (int nprobe in new[] { 1, 4, 16, 64 })
        {
            var distances = new float[1000];
            var ids = new long[1000];
            var stats = index.Search(queries, 10, distances, ids, new IvfSearchParameters { NProbe = nprobe });
            double visited = stats.VisitedPerQuery / 4000;
            Assert.True(visited > previous.Visited);
            previous = (0, visited);
        }
        Assert.Equal(1.0, previous.Visited, 6);
        var (recall, share) = RecallMeter.Measure(index, data, queries);
        Assert.True(share < 0.1, $"nprobe=1 of 64 lists visited {share:P1}");
        Assert.True(recall > 0.5, $"recall {recall}");
    }

    [Fact]
    public void Untrained_ivf_refuses_vectors() =>
        Assert.Throws<LookalikeException>(() => new Ivf(4, DistanceMetric.L2, new IvfOptions { Lists = 2 }).Add(new float[4], [1]));
}
