using Lookalike.Indexes;
using Lookalike.Tests.Common;

namespace Lookalike.Core.Tests.Indexes;

public sealed class E2LshConformanceTests : VectorIndexConformanceTests
{
    protected override IVectorIndex Create(DistanceMetric metric, int dimension, float[] trainingData) =>
        new E2Lsh(dimension, metric, tables: 16, projections: 2, width: metric == DistanceMetric.L2 ? 4 : 0.8, probes: 4, seed: 1);

    protected override double RecallFloor => 0.9;
}

public sealed class HyperplaneLshConformanceTests : VectorIndexConformanceTests
{
    protected override IVectorIndex Create(DistanceMetric metric, int dimension, float[] trainingData) =>
        new HyperplaneLsh(dimension, metric, tables: 16, bits: 8, radius: 1, seed: 1);

    protected override double RecallFloor => 0.9;
}
