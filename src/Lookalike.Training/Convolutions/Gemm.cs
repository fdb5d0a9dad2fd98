using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Lookalike.Training.Convolutions;

/// <summary>
/// C[m×n] (+)= A[m×k] · B[k×n] on row-major floats: panels of B that stay in cache, register tiles of
/// four rows × sixteen columns (eight 256-bit accumulators, one broadcast of A and two loads of B per
/// four multiply-adds), parallel over tiles of rows. What the convolutions of a training step spend
/// their time in.
/// </summary>
public static class Gemm
{
    private const int Rows = 4;
    private const int Columns = 16;
    private const int DepthBlock = 256;
    private const int ColumnBlock = 512;

    /// <summary>C = A·B, or C += A·B when <paramref name="accumulate"/>.</summary>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate = false)
    {
        if (a.Length < (long)m * k || b.Length < (long)k * n || c.Length < (long)m * n)
            throw new ArgumentException($"Gemm of {m}×{k} by {k}×{n} was given arrays too small.");
        if (!accumulate) c[..(m * n)].Clear();
        if (m == 0 || n == 0 || k == 0) return;
        unsafe
        {
            fixed (float* pa = a, pb = b, pc = c)
            {
                var (sa, sb, sc) = ((nint)pa, (nint)pb, (nint)pc);
                int rowTiles = (m + Rows - 1) / Rows, columnBlocks = (n + ColumnBlock - 1) / ColumnBlock;
                int tasks = rowTiles * columnBlocks;
                void Tile(int task)
                {
                    int tile = task / columnBlocks, columnBlock = task % columnBlocks;
                    int row = tile * Rows, rows = Math.Min(Rows, m - row);
                    int j0 = columnBlock * ColumnBlock, j1 = Math.Min(n, j0 + ColumnBlock);
                    for (int p0 = 0; p0 < k; p0 += DepthBlock)
                        Block((float*)sa, (float*)sb, (float*)sc, k, n, row, rows, p0, Math.Min(k, p0 + DepthBlock), j0, j1);
                }
                if ((long)m * n * k < 1 << 18) for (int t = 0; t < tasks; t++) Tile(t);
                else Parallel.For(0, tasks, Tile);
            }
        }
    }

    private static unsafe void Block(float* a, float* b, float* c, int k, int n, int row, int rows, int p0, int p1, int j0, int j1)
    {
        int j = j0;
        if (Vector256.IsHardwareAccelerated && rows == Rows)
        {
            float* a0 = a + ((long)row * k), a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
            float* c0 = c + ((long)row * n), c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
            for (; j + Columns <= j1; j += Columns)
            {
                var (x0, y0) = (Vector256.Load(c0 + j), Vector256.Load(c0 + j + 8));
                var (x1, y1) = (Vector256.Load(c1 + j), Vector256.Load(c1 + j + 8));
                var (x2, y2) = (Vector256.Load(c2 + j), Vector256.Load(c2 + j + 8));
                var (x3, y3) = (Vector256.Load(c3 + j), Vector256.Load(c3 + j + 8));
                float* bp = b + ((long)p0 * n) + j;
                for (int p = p0; p < p1; p++, bp += n)
                {
                    var (lo, hi) = (Vector256.Load(bp), Vector256.Load(bp + 8));
                    var s = Vector256.Create(a0[p]);
                    x0 = Fma(s, lo, x0);
                    y0 = Fma(s, hi, y0);
                    s = Vector256.Create(a1[p]);
                    x1 = Fma(s, lo, x1);
                    y1 = Fma(s, hi, y1);
                    s = Vector256.Create(a2[p]);
                    x2 = Fma(s, lo, x2);
                    y2 = Fma(s, hi, y2);
                    s = Vector256.Create(a3[p]);
                    x3 = Fma(s, lo, x3);
                    y3 = Fma(s, hi, y3);
                }
                x0.Store(c0 + j);
                y0.Store(c0 + j + 8);
                x1.Store(c1 + j);
                y1.Store(c1 + j + 8);
                x2.Store(c2 + j);
                y2.Store(c2 + j + 8);
                x3.Store(c3 + j);
                y3.Store(c3 + j + 8);
            }
        }
        // Edges: the last rows of A and the last columns of B.
        for (int i = row; i < row + rows; i++)
        {
            float* ai = a + ((long)i * k), ci = c + ((long)i * n);
            for (int p = p0; p < p1; p++)
            {
                float s = ai[p];
                float* bp = b + ((long)p * n);
                for (int jj = j; jj < j1; jj++) ci[jj] += s * bp[jj];
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Fma(Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        System.Runtime.Intrinsics.X86.Fma.IsSupported ? System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(a, b, c) : (a * b) + c;

    /// <summary>C[m×n] (+)= A[m×k] · B[n×k]ᵀ by dot products of rows (for long k, e.g. weight gradients).</summary>
    public static void MultiplyTransposedB(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate)
    {
        unsafe
        {
            fixed (float* pa = a, pb = b, pc = c)
            {
                var (sa, sb, sc) = ((nint)pa, (nint)pb, (nint)pc);
                void Row(int i)
                {
                    var ai = new ReadOnlySpan<float>((float*)sa + ((long)i * k), k);
                    var ci = new Span<float>((float*)sc + ((long)i * n), n);
                    for (int j = 0; j < n; j++)
                    {
                        float dot = System.Numerics.Tensors.TensorPrimitives.Dot(ai, new ReadOnlySpan<float>((float*)sb + ((long)j * k), k));
                        ci[j] = accumulate ? ci[j] + dot : dot;
                    }
                }
                if ((long)m * n * k < 1 << 18) for (int i = 0; i < m; i++) Row(i);
                else Parallel.For(0, m, Row);
            }
        }
    }

    /// <summary>Bᵀ of a row-major m×n matrix into <paramref name="transposed"/> (n×m).</summary>
    public static void Transpose(ReadOnlySpan<float> matrix, Span<float> transposed, int m, int n)
    {
        const int T = 32;
        for (int i0 = 0; i0 < m; i0 += T)
        {
            for (int j0 = 0; j0 < n; j0 += T)
            {
                for (int i = i0; i < Math.Min(m, i0 + T); i++)
                {
                    for (int j = j0; j < Math.Min(n, j0 + T); j++) transposed[(j * m) + i] = matrix[(i * n) + j];
                }
            }
        }
    }
}
