using Lookalike.Evaluation.Datasets;
using Lookalike.Features;
using Lookalike.Tests.Common;

namespace Lookalike.Evaluation.Tests.Sweeps;

/// <summary>Clustered Gaussian data labelled by cluster (row i belongs to cluster i mod clusters).</summary>
internal static class SeededSets
{
    public static LabeledVectors Clustered(int count, int dimension, int clusters, int seed, string name = "seeded") =>
        new(name, dimension, RecallMeter.Clustered(count, dimension, clusters, seed),
            [.. Enumerable.Range(0, count).Select(i => $"c{i % clusters}")],
            [.. Enumerable.Range(0, count).Select(i => $"{name}-{i}")]);
}
