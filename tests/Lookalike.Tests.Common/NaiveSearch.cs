using Lookalike.Indexes;

namespace Lookalike.Tests.Common;

/// <summary>The ground truth: a double-precision exhaustive scan written as plainly as possible.</summary>
public static class NaiveSearch
{
    public static (double Distance, long Id)[] Nearest(float[] data, long[] ids, int dimension, ReadOnlySpan<float> query,
        int k, DistanceMetric metric)
    {
        var all = new List<(double, long)>();
        for (int i = 0; i < ids.Length; i++)
            all.Add((Distance(data.AsSpan(i * dimension, dimension), query, metric), ids[i]));
        return all.OrderBy(p => p.Item1).ThenBy(p => p.Item2).Take(k).ToArray();
    }

    public static double Distance(ReadOnlySpan<float> x, ReadOnlySpan<float> y, DistanceMetric metric)
    {
        double dot = 0, xx = 0, yy = 0, sq = 0;
        for (int j = 0; j < x.Length; j++)
        {
            dot += (double)x[j] * y[j];
            xx += (double)x[j] * x[j];
            yy += (double)y[j] * y[j];
            sq += ((double)x[j] - y[j]) * ((double)x[j] - y[j]);
        }
        return metric == DistanceMetric.L2 ? Math.Sqrt(sq) : 1 - (dot / Math.Sqrt(xx * yy));
    }
}
