using Lookalike.Indexes;
using Lookalike.Tests.Common;

namespace Lookalike.Core.Tests.Indexes;

public sealed class E2LshConformanceTests : VectorIndexConformanceTests
{
    protected override IVectorIndex Create(DistanceMetric metric, int dimension, float[] trainingData) =>
        new E2Lsh(dimension, metric, new E2LshOptions { Tables = 16, Projections = 2, Width = metric == DistanceMetric.L2 ? 4 : 0.8, Probes = 4, Seed = 1 }, Vectors);

    protected override double RecallFloor => 0.9;
}

public sealed class HyperplaneLshConformanceTests : VectorIndexConformanceTests
{
    protected override IVectorIndex Create(DistanceMetric metric, int dimension, float[] trainingData) =>
        new HyperplaneLsh(dimension, metric, new HyperplaneLshOptions { Tables = 16, Bits = 8, Radius = 1, Seed = 1 }, Vectors);

    protected override double RecallFloor => 0.9;
}

public sealed class E2LshOverSharedVectorsConformanceTests : VectorIndexConformanceTests
{
    protected override bool ReadsSharedVectors => true;

    protected override IVectorIndex Create(DistanceMetric metric, int dimension, float[] trainingData) =>
        IndexRegistry.Builtin.Create(dimension, $"E2Lsh(tables=16,projections=2,width={(metric == DistanceMetric.L2 ? 4 : 0.8)},probes=4,seed=1)",
            metric, Vectors);

    protected override double RecallFloor => 0.9;
}

public sealed class HyperplaneLshOverSharedVectorsConformanceTests : VectorIndexConformanceTests
{
    protected override bool ReadsSharedVectors => true;

    protected override IVectorIndex Create(DistanceMetric metric, int dimension, float[] trainingData) =>
        IndexRegistry.Builtin.Create(dimension, "HyperplaneLsh(tables=16,bits=8,radius=1,seed=1)", metric, Vectors);

    protected override double RecallFloor => 0.9;
}

public sealed class CrossPolytopeLshConformanceTests : VectorIndexConformanceTests
{
    protected override IVectorIndex Create(DistanceMetric metric, int dimension, float[] trainingData) =>
        new CrossPolytopeLsh(dimension, metric, new CrossPolytopeLshOptions { Tables = 16, Hashes = 1, Probes = 2, Seed = 1 }, Vectors);

    protected override double RecallFloor => 0.9;
}

public sealed class CrossPolytopeLshOverSharedVectorsConformanceTests : VectorIndexConformanceTests
{
    protected override bool ReadsSharedVectors => true;

    protected override IVectorIndex Create(DistanceMetric metric, int dimension, float[] trainingData) =>
        IndexRegistry.Builtin.Create(dimension, "CrossPolytopeLsh(tables=16,hashes=2,lastDimension=4,probes=32,centre=0,seed=1)", metric, Vectors);

    protected override double RecallFloor => 0.9;
}

public sealed class CentredHyperplaneLshConformanceTests : VectorIndexConformanceTests
{
    protected override IVectorIndex Create(DistanceMetric metric, int dimension, float[] trainingData) =>
        IndexRegistry.Builtin.Create(dimension, "HyperplaneLsh(tables=16,bits=8,radius=1,centre=1,seed=1)", metric, Vectors);

    protected override double RecallFloor => 0.9;
}

public sealed class CollisionCountingCrossPolytopeLshConformanceTests : VectorIndexConformanceTests
{
    protected override IVectorIndex Create(DistanceMetric metric, int dimension, float[] trainingData) =>
        IndexRegistry.Builtin.Create(dimension, "CrossPolytopeLsh(tables=16,hashes=1,probes=2,maxCandidates=300,countCollisions=1,seed=1)", metric, Vectors);

    protected override double RecallFloor => 0.9;
}
