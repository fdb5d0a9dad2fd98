using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lookalike.Indexes;

/// <summary>
/// The distance micro-kernels every index ranks with: squared Euclidean distance of two vectors
/// and register-blocked dot products of four queries with four rows at once (the inner loop of the
/// blocked exact scan, ‖q‖² + ‖x‖² − 2 q·x): sixteen AVX-512 accumulators where the processor has
/// them, two 4×2 AVX2 + FMA blocks otherwise, portable vector code elsewhere.
/// </summary>
public static class VectorKernels
{
    private static bool Avx2Fma => Fma.IsSupported && Vector256.IsHardwareAccelerated;

    private static bool Avx512 => Avx512F.IsSupported && Vector512.IsHardwareAccelerated;

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
        if (Avx512 && n >= 64) return SquaredL2Avx512(ref a, ref b, n);
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

    private static float SquaredL2Avx512(ref float a, ref float b, int n)
    {
        Vector512<float> s0 = Vector512<float>.Zero, s1 = s0;
        int i = 0;
        for (; i <= n - 32; i += 32)
        {
            var d0 = Vector512.LoadUnsafe(ref a, (nuint)i) - Vector512.LoadUnsafe(ref b, (nuint)i);
            var d1 = Vector512.LoadUnsafe(ref a, (nuint)(i + 16)) - Vector512.LoadUnsafe(ref b, (nuint)(i + 16));
            s0 = Avx512F.FusedMultiplyAdd(d0, d0, s0);
            s1 = Avx512F.FusedMultiplyAdd(d1, d1, s1);
        }
        for (; i <= n - 16; i += 16)
        {
            var d0 = Vector512.LoadUnsafe(ref a, (nuint)i) - Vector512.LoadUnsafe(ref b, (nuint)i);
            s0 = Avx512F.FusedMultiplyAdd(d0, d0, s0);
        }
        float sum = Vector512.Sum(s0 + s1);
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

    /// <summary>
    /// The dot products of four queries (4×d) with four rows: <paramref name="dots"/>[4q + r] = q·x_r.
    /// Sixteen accumulators with AVX-512 (each loaded component feeds four products); two
    /// <see cref="Dot4x2"/> blocks otherwise.
    /// </summary>
    public static void Dot4x4(ReadOnlySpan<float> queries, ReadOnlySpan<float> x0, ReadOnlySpan<float> x1, ReadOnlySpan<float> x2,
        ReadOnlySpan<float> x3, Span<float> dots)
    {
        int d = x0.Length;
        if (queries.Length < 4 * d || x1.Length != d || x2.Length != d || x3.Length != d || dots.Length < 16)
            throw new ArgumentException("Shapes do not match a 4×4 block.");
        if (!Avx512 || d < 16)
        {
            Span<float> pair = stackalloc float[8];
            Dot4x2(queries, x0, x1, pair);
            for (int q = 0; q < 4; q++) (dots[4 * q], dots[(4 * q) + 1]) = (pair[2 * q], pair[(2 * q) + 1]);
            Dot4x2(queries, x2, x3, pair);
            for (int q = 0; q < 4; q++) (dots[(4 * q) + 2], dots[(4 * q) + 3]) = (pair[2 * q], pair[(2 * q) + 1]);
            return;
        }
        ref float q0 = ref MemoryMarshal.GetReference(queries);
        ref float v0r = ref MemoryMarshal.GetReference(x0);
        ref float v1r = ref MemoryMarshal.GetReference(x1);
        ref float v2r = ref MemoryMarshal.GetReference(x2);
        ref float v3r = ref MemoryMarshal.GetReference(x3);
        nuint n = (nuint)d;
        Vector512<float> a00 = Vector512<float>.Zero, a01 = a00, a02 = a00, a03 = a00, a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        Vector512<float> a20 = a00, a21 = a00, a22 = a00, a23 = a00, a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        nuint i = 0;
        for (; i + 16 <= n; i += 16)
        {
            var v0 = Vector512.LoadUnsafe(ref v0r, i);
            var v1 = Vector512.LoadUnsafe(ref v1r, i);
            var v2 = Vector512.LoadUnsafe(ref v2r, i);
            var v3 = Vector512.LoadUnsafe(ref v3r, i);
            var w = Vector512.LoadUnsafe(ref q0, i);
            a00 = Avx512F.FusedMultiplyAdd(w, v0, a00);
            a01 = Avx512F.FusedMultiplyAdd(w, v1, a01);
            a02 = Avx512F.FusedMultiplyAdd(w, v2, a02);
            a03 = Avx512F.FusedMultiplyAdd(w, v3, a03);
            w = Vector512.LoadUnsafe(ref q0, i + n);
            a10 = Avx512F.FusedMultiplyAdd(w, v0, a10);
            a11 = Avx512F.FusedMultiplyAdd(w, v1, a11);
            a12 = Avx512F.FusedMultiplyAdd(w, v2, a12);
            a13 = Avx512F.FusedMultiplyAdd(w, v3, a13);
            w = Vector512.LoadUnsafe(ref q0, i + (2 * n));
            a20 = Avx512F.FusedMultiplyAdd(w, v0, a20);
            a21 = Avx512F.FusedMultiplyAdd(w, v1, a21);
            a22 = Avx512F.FusedMultiplyAdd(w, v2, a22);
            a23 = Avx512F.FusedMultiplyAdd(w, v3, a23);
            w = Vector512.LoadUnsafe(ref q0, i + (3 * n));
            a30 = Avx512F.FusedMultiplyAdd(w, v0, a30);
            a31 = Avx512F.FusedMultiplyAdd(w, v1, a31);
            a32 = Avx512F.FusedMultiplyAdd(w, v2, a32);
            a33 = Avx512F.FusedMultiplyAdd(w, v3, a33);
        }
        dots[0] = Vector512.Sum(a00);
        dots[1] = Vector512.Sum(a01);
        dots[2] = Vector512.Sum(a02);
        dots[3] = Vector512.Sum(a03);
        dots[4] = Vector512.Sum(a10);
        dots[5] = Vector512.Sum(a11);
        dots[6] = Vector512.Sum(a12);
        dots[7] = Vector512.Sum(a13);
        dots[8] = Vector512.Sum(a20);
        dots[9] = Vector512.Sum(a21);
        dots[10] = Vector512.Sum(a22);
        dots[11] = Vector512.Sum(a23);
        dots[12] = Vector512.Sum(a30);
        dots[13] = Vector512.Sum(a31);
        dots[14] = Vector512.Sum(a32);
        dots[15] = Vector512.Sum(a33);
        for (; i < n; i++)
        {
            float v0 = Unsafe.Add(ref v0r, i), v1 = Unsafe.Add(ref v1r, i), v2 = Unsafe.Add(ref v2r, i), v3 = Unsafe.Add(ref v3r, i);
            for (int q = 0; q < 4; q++)
            {
                float w = Unsafe.Add(ref q0, i + ((nuint)q * n));
                dots[4 * q] += w * v0;
                dots[(4 * q) + 1] += w * v1;
                dots[(4 * q) + 2] += w * v2;
                dots[(4 * q) + 3] += w * v3;
            }
        }
    }
}
