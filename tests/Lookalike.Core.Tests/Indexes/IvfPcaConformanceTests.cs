using Lookalike.Indexes;
using Lookalike.Tests.Common;

namespace Lookalike.Core.Tests.Indexes;

public sealed class IvfConformanceTests : VectorIndexConformanceTests
{
    // Probing half the lists of Gaussian data: most true neighbours are in them. k-means needs at least
    // as many training vectors as lists, so tiny test sets train on a separate Gaussian sample.
    protected override IVectorIndex Create(DistanceMetric metric, int dimension, float[] trainingData)
    {
        var index = new Ivf(dimension, metric, new IvfOptions { Lists = 8, NProbe = 4, Seed = 1 }, Vectors);
        index.Train(trainingData.Length >= 8 * dimension ? trainingData : RandomVectors.Gaussian(200, dimension, seed: 9));
        return index;
    }

    protected override double RecallFloor => 0.8;
}

public sealed class PcaIndexConformanceTests : VectorIndexConformanceTests
{
    // Every axis kept: a rotation, so distances (L2) and angles (cosine, uncentred) are those of the input.
    protected override IVectorIndex Create(DistanceMetric metric, int dimension, float[] trainingData) =>
        IndexRegistry.Builtin.Create(dimension, $"Pca(dims={dimension}),Flat", metric);
}

public sealed class IvfOverSharedVectorsConformanceTests : VectorIndexConformanceTests
{
    protected override bool ReadsSharedVectors => true;

    protected override IVectorIndex Create(DistanceMetric metric, int dimension, float[] trainingData)
    {
        var index = IndexRegistry.Builtin.Create(dimension, "Ivf(lists=8,nprobe=4,seed=1),Flat", metric, Vectors);
        index.Train(trainingData.Length >= 8 * dimension ? trainingData : RandomVectors.Gaussian(200, dimension, seed: 9));
        return index;
    }

    protected override double RecallFloor => 0.8;
}

public sealed class FlatOverSharedVectorsConformanceTests : VectorIndexConformanceTests
{
    protected override bool ReadsSharedVectors => true;

    protected override IVectorIndex Create(DistanceMetric metric, int dimension, float[] trainingData) =>
        IndexRegistry.Builtin.Create(dimension, "Flat", metric, Vectors);
}
