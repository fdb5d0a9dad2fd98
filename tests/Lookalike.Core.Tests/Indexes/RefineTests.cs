using Lookalike.Errors;
using Lookalike.Indexes;
using Lookalike.Tests.Common;

namespace Lookalike.Core.Tests.Indexes;

public sealed class RefinePcaIvfConformanceTests : VectorIndexConformanceTests
{
    protected override bool ReadsSharedVectors => true;

    protected override IVectorIndex Create(DistanceMetric metric, int dimension, float[] trainingData) =>
        IndexRegistry.Builtin.Create(dimension, "Refine(rerank=300),PCA16,Ivf(lists=4,nprobe=4)", metric, Vectors);

    protected override double RecallFloor => 0.95;
}

public sealed class RefineBehaviourTests
{
    private const int D = 48;

    [Fact]
    public void Re_ranking_on_the_full_vectors_recovers_what_a_projection_loses()
    {
        float[] data = RandomVectors.Gaussian(3000, D, seed: 31);
        float[] queries = RandomVectors.Gaussian(50, D, seed: 32);
        using var projected = IndexRegistry.Builtin.Create(D, "PCA8,Flat", DistanceMetric.L2);
        using var refined = IndexRegistry.Builtin.Create(D, "Refine(rerank=200),PCA8,Flat", DistanceMetric.L2);
        foreach (var index in new[] { projected, refined })
        {
            index.Train(data);
            index.Add(data, RandomVectors.Ids(3000));
        }
        var (projectedRecall, _) = RecallMeter.Measure(projected, data, queries);
        var (refinedRecall, _) = RecallMeter.Measure(refined, data, queries);
        Assert.True(refinedRecall > projectedRecall + 0.2, $"re-ranked recall {refinedRecall:F3} vs projected {projectedRecall:F3}");
        Assert.Equal("Refine(rerank=200),Pca(dims=8,seed=42),Flat", refined.Spec);
    }

    [Theory]
    [InlineData("Refine")]
    [InlineData("Refine(rerank=0),Flat")]
    [InlineData("Refine(k=3),Flat")]
    public void Bad_specs_are_refused(string spec) =>
        Assert.Throws<LookalikeException>(() => IndexRegistry.Builtin.Create(D, spec, DistanceMetric.L2).Dispose());
}
