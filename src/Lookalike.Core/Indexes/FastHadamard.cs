using System.Numerics;

namespace Lookalike.Indexes;

/// <summary>The fast Walsh–Hadamard transform, in place and unnormalised (O(n log n) for n a power of two).</summary>
public static class FastHadamard
{
    /// <summary>Transforms <paramref name="values"/> (its length a power of two) in place; the result is √n times the orthonormal transform.</summary>
    public static void Transform(Span<float> values)
    {
        int n = values.Length;
        if (!BitOperations.IsPow2(n)) throw new ArgumentException($"The length must be a power of two (was {n}).", nameof(values));
        int width = Vector<float>.Count;
        for (int half = 1; half < n; half *= 2)
        {
            for (int start = 0; start < n; start += 2 * half)
            {
                var low = values.Slice(start, half);
                var high = values.Slice(start + half, half);
                int i = 0;
                if (half >= width)
                {
                    for (; i <= half - width; i += width)
                    {
                        var a = new Vector<float>(low[i..]);
                        var b = new Vector<float>(high[i..]);
                        (a + b).CopyTo(low[i..]);
                        (a - b).CopyTo(high[i..]);
                    }
                }
                for (; i < half; i++)
                {
                    float a = low[i], b = high[i];
                    low[i] = a + b;
                    high[i] = a - b;
                }
            }
        }
    }
}
