using System.Numerics.Tensors;

namespace Lookalike.Training.Networks;

/// <summary>
/// The three matrix products a dense layer needs, on row-major float arrays, parallel over output
/// rows and vectorised with <see cref="TensorPrimitives"/>.
/// </summary>
internal static class MatrixKernels
{
    private const int MinRowsPerTask = 8;

    /// <summary>C[m×n] = A[m×k] · B[k×n] (+ C when <paramref name="accumulate"/>).</summary>
    public static void Multiply(float[] a, float[] b, float[] c, int m, int k, int n, bool accumulate = false)
    {
        ForRows(m, i =>
        {
            var row = c.AsSpan(i * n, n);
            if (!accumulate) row.Clear();
            var aRow = a.AsSpan(i * k, k);
            for (int p = 0; p < k; p++)
            {
                float scale = aRow[p];
                if (scale != 0) TensorPrimitives.MultiplyAdd(b.AsSpan(p * n, n), scale, row, row);
            }
        });
    }

    /// <summary>C[m×n] = A[m×k] · B[n×k]ᵀ.</summary>
    public static void MultiplyTransposedB(float[] a, float[] b, float[] c, int m, int k, int n) =>
        ForRows(m, i =>
        {
            var aRow = a.AsSpan(i * k, k);
            for (int j = 0; j < n; j++) c[(i * n) + j] = TensorPrimitives.Dot(aRow, b.AsSpan(j * k, k));
        });

    /// <summary>C[k×n] = A[m×k]ᵀ · B[m×n] (+ C when <paramref name="accumulate"/>).</summary>
    public static void MultiplyTransposedA(float[] a, float[] b, float[] c, int m, int k, int n, bool accumulate = false) =>
        ForRows(k, p =>
        {
            var row = c.AsSpan(p * n, n);
            if (!accumulate) row.Clear();
            for (int i = 0; i < m; i++)
            {
                float scale = a[(i * k) + p];
                if (scale != 0) TensorPrimitives.MultiplyAdd(b.AsSpan(i * n, n), scale, row, row);
            }
        });

    private static void ForRows(int rows, Action<int> body)
    {
        if (rows < 2 * MinRowsPerTask)
        {
            for (int i = 0; i < rows; i++) body(i);
            return;
        }
        int chunks = Math.Min(Environment.ProcessorCount * 4, rows / MinRowsPerTask);
        Parallel.For(0, chunks, chunk =>
        {
            int start = (int)((long)rows * chunk / chunks), end = (int)((long)rows * (chunk + 1) / chunks);
            for (int i = start; i < end; i++) body(i);
        });
    }
}
