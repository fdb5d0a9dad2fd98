using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lookalike.Indexes;

/// <summary>
/// The distance micro-kernels every index ranks with: squared Euclidean distance of two vectors
/// and a register-blocked dot product of four queries with two rows at once (the inner loop of the
/// blocked exact scan, ‖q‖² + ‖x‖² − 2 q·x). AVX2 + FMA where the processor has them, portable
/// vector code otherwise.
/// </summary>
public static class VectorKernels
{
    private static bool Avx2Fma => Fma.IsSupported && Vector256.IsHardwareAccelerated;

    /// <summary>Σ (x_j − y_j)²: no square root, so rankings cost one fused multiply-add per component.</summary>
    public static float SquaredL2(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        int n = x.Length;
        if (y.Length != n) throw new ArgumentException("Vectors differ in length.", nameof(y));
        if (!Avx2Fma || n < 8)
        {
            float d = TensorPrimitives.Distance(x, y);
            return d * d;
        }
        ref float a = ref MemoryMarshal.GetReference(x);
        ref float b = ref MemoryMarshal.GetReference(y);
        Vector256<float> s0 = Vector256<float>.Zero, s1 = s0, s2 = s0, s3 = s0;
        int i = 0;
        for (; i <= n - 32; i += 32)
        {
            var d0 = Vector256.LoadUnsafe(ref a, (nuint)i) - Vector256.LoadUnsafe(ref b, (nuint)i);
            var d1 = Vector256.LoadUnsafe(ref a, (nuint)(i + 8)) - Vector256.LoadUnsafe(ref b, (nuint)(i + 8));
            var d2 = Vector256.LoadUnsafe(ref a, (nuint)(i + 16)) - Vector256.LoadUnsafe(ref b, (nuint)(i + 16));
            var d3 = Vector256.LoadUnsafe(ref a, (nuint)(i + 24)) - Vector256.LoadUnsafe(ref b, (nuint)(i + 24));
            s0 = Fma.MultiplyAdd(d0, d0, s0);
            s1 = Fma.MultiplyAdd(d1, d1, s1);
            s2 = Fma.MultiplyAdd(d2, d2, s2);
            s3 = Fma.MultiplyAdd(d3, d3, s3);
        }
        for (; i <= n - 8; i += 8)
        {
            var d0 = Vector256.LoadUnsafe(ref a, (nuint)i) - Vector256.LoadUnsafe(ref b, (nuint)i);
            s0 = Fma.MultiplyAdd(d0, d0, s0);
        }
        float sum = Vector256.Sum((s0 + s1) + (s2 + s3));
        for (; i < n; i++)
        {
            float d = Unsafe.Add(ref a, i) - Unsafe.Add(ref b, i);
            sum += d * d;
        }
        return sum;
    }

    /// <summary>Σ x_j y_j.</summary>
    public static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y) => TensorPrimitives.Dot(x, y);

    /// <summary>
    /// The dot products of four queries (rows of <paramref name="queries"/>, 4×d) with two rows:
    /// <paramref name="dots"/>[2q] = q·x0 and [2q+1] = q·x1. Each row component is loaded once for
    /// four queries, each query component once for two rows: eight accumulators in registers.
    /// </summary>
    public static void Dot4x2(ReadOnlySpan<float> queries, ReadOnlySpan<float> x0, ReadOnlySpan<float> x1, Span<float> dots)
    {
        int d = x0.Length;
        if (queries.Length < 4 * d || x1.Length != d || dots.Length < 8) throw new ArgumentException("Shapes do not match a 4×2 block.");
        if (!Avx2Fma || d < 8)
        {
            for (int q = 0; q < 4; q++)
            {
                var query = queries.Slice(q * d, d);
                dots[2 * q] = TensorPrimitives.Dot(query, x0);
                dots[(2 * q) + 1] = TensorPrimitives.Dot(query, x1);
            }
            return;
        }
        ref float q0 = ref MemoryMarshal.GetReference(queries);
        ref float q1 = ref Unsafe.Add(ref q0, d);
        ref float q2 = ref Unsafe.Add(ref q1, d);
        ref float q3 = ref Unsafe.Add(ref q2, d);
        ref float r0 = ref MemoryMarshal.GetReference(x0);
        ref float r1 = ref MemoryMarshal.GetReference(x1);
        Vector256<float> a00 = Vector256<float>.Zero, a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        int i = 0;
        for (; i <= d - 8; i += 8)
        {
            var v0 = Vector256.LoadUnsafe(ref r0, (nuint)i);
            var v1 = Vector256.LoadUnsafe(ref r1, (nuint)i);
            var w = Vector256.LoadUnsafe(ref q0, (nuint)i);
            a00 = Fma.MultiplyAdd(w, v0, a00);
            a01 = Fma.MultiplyAdd(w, v1, a01);
            w = Vector256.LoadUnsafe(ref q1, (nuint)i);
            a10 = Fma.MultiplyAdd(w, v0, a10);
            a11 = Fma.MultiplyAdd(w, v1, a11);
            w = Vector256.LoadUnsafe(ref q2, (nuint)i);
            a20 = Fma.MultiplyAdd(w, v0, a20);
            a21 = Fma.MultiplyAdd(w, v1, a21);
            w = Vector256.LoadUnsafe(ref q3, (nuint)i);
            a30 = Fma.MultiplyAdd(w, v0, a30);
            a31 = Fma.MultiplyAdd(w, v1, a31);
        }
        float d00 = Vector256.Sum(a00), d01 = Vector256.Sum(a01), d10 = Vector256.Sum(a10), d11 = Vector256.Sum(a11);
        float d20 = Vector256.Sum(a20), d21 = Vector256.Sum(a21), d30 = Vector256.Sum(a30), d31 = Vector256.Sum(a31);
        for (; i < d; i++)
        {
            float v0 = Unsafe.Add(ref r0, i), v1 = Unsafe.Add(ref r1, i);
            float w0 = Unsafe.Add(ref q0, i), w1 = Unsafe.Add(ref q1, i), w2 = Unsafe.Add(ref q2, i), w3 = Unsafe.Add(ref q3, i);
            d00 += w0 * v0;
            d01 += w0 * v1;
            d10 += w1 * v0;
            d11 += w1 * v1;
            d20 += w2 * v0;
            d21 += w2 * v1;
            d30 += w3 * v0;
            d31 += w3 * v1;
        }
        dots[0] = d00;
        dots[1] = d01;
        dots[2] = d10;
        dots[3] = d11;
        dots[4] = d20;
        dots[5] = d21;
        dots[6] = d30;
        dots[7] = d31;
    }
}
