using Lookalike.Indexes;

namespace Lookalike.Tests.Common;

/// <summary>recall@k of an index against <see cref="Flat"/> on the same data, and the share of the data it visited.</summary>
public static class RecallMeter
{
    public static (double Recall, double VisitedShare) Measure(IVectorIndex index, float[] data, float[] queries, int k = 10)
    {
        int d = index.Dimension, n = data.Length / d, q = queries.Length / d;
        using var exact = new Flat(d, index.Metric);
        exact.Add(data, RandomVectors.Ids(n));
        var truth = new long[q * k];
        exact.Search(queries, k, new float[q * k], truth);
        var found = new long[q * k];
        var stats = index.Search(queries, k, new float[q * k], found);
        int hits = 0;
        for (int i = 0; i < q; i++)
        {
            var expected = truth.AsSpan(i * k, k).ToArray();
            hits += found.AsSpan(i * k, k).ToArray().Count(expected.Contains);
        }
        return (hits / (double)(q * k), stats.VisitedPerQuery / n);
    }

    /// <summary>Points around <paramref name="clusters"/> random centres (spread 1 around centres of spread 3).</summary>
    public static float[] Clustered(int count, int dimension, int clusters, int seed)
    {
        float[] centres = RandomVectors.Gaussian(clusters, dimension, seed);
        float[] noise = RandomVectors.Gaussian(count, dimension, seed + 1);
        var data = new float[count * dimension];
        for (int i = 0; i < count; i++)
        {
            int c = i % clusters;
            for (int j = 0; j < dimension; j++) data[(i * dimension) + j] = (3 * centres[(c * dimension) + j]) + noise[(i * dimension) + j];
        }
        return data;
    }
}
