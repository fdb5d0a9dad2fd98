using Lookalike.Indexes;
using Lookalike.Tests.Common;

namespace Lookalike.Core.Tests.Indexes;

public sealed class FlatConformanceTests : VectorIndexConformanceTests
{
    protected override IVectorIndex Create(DistanceMetric metric, int dimension, float[] trainingData) =>
        new Flat(dimension, metric);

    [Fact]
    public void An_exact_scan_computes_one_distance_per_live_vector_and_query()
    {
        float[] data = RandomVectors.Gaussian(100, Dimension, seed: 1);
        using var index = new Flat(Dimension, DistanceMetric.L2);
        index.Add(data, RandomVectors.Ids(100));
        index.Remove([7]);
        var stats = index.Search(data.AsSpan(0, 3 * Dimension), 4, new float[12], new long[12]);
        Assert.Equal(3, stats.Queries);
        Assert.Equal(3 * 99, stats.DistancesComputed);
        Assert.Equal(99, stats.VisitedPerQuery);
    }

    [Fact]
    public void Ties_are_broken_by_the_smaller_id()
    {
        using var index = new Flat(2, DistanceMetric.L2);
        index.Add([1, 0, 0, 1, -1, 0, 0, -1], [40, 30, 20, 10]);
        var ids = new long[4];
        index.Search([0, 0], 4, new float[4], ids);
        Assert.Equal([10, 20, 30, 40], ids);
    }
}
