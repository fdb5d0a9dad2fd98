namespace Lookalike.Indexes;

/// <summary>Seeded standard normal samples (Box–Muller), identical on every platform for a seed.</summary>
internal static class Gaussian
{
    public static float[] Samples(int count, Random random)
    {
        var values = new float[count];
        for (int i = 0; i < count; i += 2)
        {
            double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
            double radius = Math.Sqrt(-2.0 * Math.Log(u1));
            values[i] = (float)(radius * Math.Cos(2 * Math.PI * u2));
            if (i + 1 < count) values[i + 1] = (float)(radius * Math.Sin(2 * Math.PI * u2));
        }
        return values;
    }
}
