using Lookalike.Indexes;
using Lookalike.Tests.Common;

namespace Lookalike.Core.Tests.Indexes;

public sealed class IvfConformanceTests : VectorIndexConformanceTests
{
    // Probing half the lists of Gaussian data: most true neighbours are in them. k-means needs at least
    // as many training vectors as lists, so tiny test sets train on a separate Gaussian sample.
    protected override IVectorIndex Create(DistanceMetric metric, int dimension, float[] trainingData)
    {
        var index = new Ivf(dimension, metric, lists: 8, nprobe: 4, seed: 1);
        index.Train(trainingData.Length >= 8 * dimension ? trainingData : RandomVectors.Gaussian(200, dimension, seed: 9));
        return index;
    }

    protected override double RecallFloor => 0.8;
}

public sealed class PcaIndexConformanceTests : VectorIndexConformanceTests
{
    // Every axis kept: a rotation, so distances (L2) and angles (cosine, uncentred) are those of the input.
    protected override IVectorIndex Create(DistanceMetric metric, int dimension, float[] trainingData) =>
        IndexFactory.Create(dimension, $"Pca(dims={dimension}),Flat", metric);
}
