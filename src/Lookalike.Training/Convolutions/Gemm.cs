using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Lookalike.Training.Convolutions;

/// <summary>
/// C[m×n] (+)= A[m×k] · B[k×n] on row-major floats, as BLAS libraries compute it: B is copied panel
/// by panel (128 rows × 256 columns, 128 KB: it stays in a core's L2) into sixteen-column strips read
/// sequentially, and register tiles of four rows × sixteen columns (eight 256-bit accumulators: one
/// broadcast of A and two loads of B per four fused multiply-adds) pass over it. Parallel over
/// chunks of rows, each packing the panels it uses. What the convolutions of a training step spend
/// their time in.
/// </summary>
public static class Gemm
{
    private const int Rows = 4;
    private const int Columns = 16;
    private const int DepthBlock = 128;
    private const int ColumnBlock = 256;

    [ThreadStatic]
    private static float[]? t_panel;

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
                int rowTiles = (m + Rows - 1) / Rows;
                int chunks = (long)m * n * k < 1 << 18 ? 1 : Math.Min(rowTiles, 4 * Environment.ProcessorCount);
                void Chunk(int chunk)
                {
                    int firstTile = (int)((long)rowTiles * chunk / chunks), endTile = (int)((long)rowTiles * (chunk + 1) / chunks);
                    var panel = t_panel ??= new float[DepthBlock * ColumnBlock];
                    fixed (float* packed = panel)
                    {
                        for (int j0 = 0; j0 < n; j0 += ColumnBlock)
                        {
                            int j1 = Math.Min(n, j0 + ColumnBlock);
                            for (int p0 = 0; p0 < k; p0 += DepthBlock)
                            {
                                int p1 = Math.Min(k, p0 + DepthBlock);
                                Pack((float*)sb, packed, n, p0, p1, j0, j1);
                                for (int tile = firstTile; tile < endTile; tile++)
                                {
                                    int row = tile * Rows;
                                    Block((float*)sa, packed, (float*)sb, (float*)sc, k, n, row, Math.Min(Rows, m - row), p0, p1, j0, j1);
                                }
                            }
                        }
                    }
                }
                if (chunks == 1) Chunk(0);
                else Parallel.For(0, chunks, Chunk);
            }
        }
    }

    /// <summary>B[p0..p1, j0..j1] as strips of sixteen columns, each [p][16] (whole strips only; the rest is read from B).</summary>
    private static unsafe void Pack(float* b, float* packed, int n, int p0, int p1, int j0, int j1)
    {
        int depth = p1 - p0;
        for (int j = j0, strip = 0; j + Columns <= j1; j += Columns, strip++)
        {
            float* target = packed + ((long)strip * depth * Columns);
            for (int p = p0; p < p1; p++, target += Columns)
            {
                float* source = b + ((long)p * n) + j;
                Vector256.Load(source).Store(target);
                Vector256.Load(source + 8).Store(target + 8);
            }
        }
    }

    private static unsafe void Block(float* a, float* packed, float* b, float* c, int k, int n, int row, int rows, int p0, int p1, int j0, int j1)
    {
        int j = j0, depth = p1 - p0;
        if (Vector256.IsHardwareAccelerated && rows == Rows)
        {
            float* a0 = a + ((long)row * k), a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
            float* c0 = c + ((long)row * n), c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
            for (float* strip = packed; j + Columns <= j1; j += Columns, strip += depth * Columns)
            {
                var (x0, y0) = (Vector256.Load(c0 + j), Vector256.Load(c0 + j + 8));
                var (x1, y1) = (Vector256.Load(c1 + j), Vector256.Load(c1 + j + 8));
                var (x2, y2) = (Vector256.Load(c2 + j), Vector256.Load(c2 + j + 8));
                var (x3, y3) = (Vector256.Load(c3 + j), Vector256.Load(c3 + j + 8));
                float* bp = strip;
                for (int p = p0; p < p1; p++, bp += Columns)
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
        // Edges: the last rows of A and the columns past the last whole strip, from B itself.
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

    /// <summary>The transpose of a row-major m×n matrix into <paramref name="transposed"/> (n×m), in cache-sized tiles.</summary>
    public static void Transpose(ReadOnlySpan<float> matrix, Span<float> transposed, int m, int n)
    {
        if (matrix.Length < (long)m * n || transposed.Length < (long)m * n) throw new ArgumentException($"Transpose of {m}×{n} was given arrays too small.");
        unsafe
        {
            fixed (float* source = matrix, target = transposed)
            {
                var (s, t) = ((nint)source, (nint)target);
                const int T = 32;
                int bands = (m + T - 1) / T;
                void Band(int band)
                {
                    int i0 = band * T, i1 = Math.Min(m, i0 + T);
                    for (int j0 = 0; j0 < n; j0 += T)
                    {
                        int j1 = Math.Min(n, j0 + T);
                        for (int i = i0; i < i1; i++)
                        {
                            for (int j = j0; j < j1; j++) ((float*)t)[((long)j * m) + i] = ((float*)s)[((long)i * n) + j];
                        }
                    }
                }
                if ((long)m * n < 1 << 16) for (int band = 0; band < bands; band++) Band(band);
                else Parallel.For(0, bands, Band);
            }
        }
    }
}
