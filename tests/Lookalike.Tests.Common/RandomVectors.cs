namespace Lookalike.Tests.Common;

/// <summary>Seeded random data for index tests.</summary>
public static class RandomVectors
{
    public static float[] Gaussian(int count, int dimension, int seed)
    {
        var random = new Random(seed);
        var data = new float[count * dimension];
        for (int i = 0; i < data.Length; i++)
        {
            double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
            data[i] = (float)(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
        return data;
    }

    public static long[] Ids(int count, long start = 0) => Enumerable.Range(0, count).Select(i => start + i).ToArray();
}
