namespace Lookalike.Transforms;

/// <summary>Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations (exact to rounding).</summary>
public static class SymmetricEigen
{
    /// <summary>
    /// Eigenvalues (descending) and eigenvectors (column j of the n×n row-major result belongs to
    /// eigenvalue j) of the symmetric n×n <paramref name="matrix"/>, which is left unchanged.
    /// </summary>
    public static (double[] Values, double[] Vectors) Jacobi(ReadOnlySpan<double> matrix, int n, int maxSweeps = 100)
    {
        var a = matrix.ToArray();
        var v = new double[n * n];
        for (int i = 0; i < n; i++) v[(i * n) + i] = 1;
        for (int sweep = 0; sweep < maxSweeps; sweep++)
        {
            double off = 0;
            for (int p = 0; p < n; p++) for (int q = p + 1; q < n; q++) off += a[(p * n) + q] * a[(p * n) + q];
            if (off < 1e-22) break;
            for (int p = 0; p < n; p++)
            {
                for (int q = p + 1; q < n; q++)
                {
                    double apq = a[(p * n) + q];
                    if (Math.Abs(apq) < 1e-300) continue;
                    double theta = (a[(q * n) + q] - a[(p * n) + p]) / (2 * apq);
                    double t = Math.Sign(theta) / (Math.Abs(theta) + Math.Sqrt((theta * theta) + 1));
                    if (theta == 0) t = 1;
                    double c = 1 / Math.Sqrt((t * t) + 1), s = t * c;
                    for (int k = 0; k < n; k++)
                    {
                        double akp = a[(k * n) + p], akq = a[(k * n) + q];
                        a[(k * n) + p] = (c * akp) - (s * akq);
                        a[(k * n) + q] = (s * akp) + (c * akq);
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double apk = a[(p * n) + k], aqk = a[(q * n) + k];
                        a[(p * n) + k] = (c * apk) - (s * aqk);
                        a[(q * n) + k] = (s * apk) + (c * aqk);
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double vkp = v[(k * n) + p], vkq = v[(k * n) + q];
                        v[(k * n) + p] = (c * vkp) - (s * vkq);
                        v[(k * n) + q] = (s * vkp) + (c * vkq);
                    }
                }
            }
        }
        var order = Enumerable.Range(0, n).OrderByDescending(i => a[(i * n) + i]).ToArray();
        var values = order.Select(i => a[(i * n) + i]).ToArray();
        var vectors = new double[n * n];
        for (int j = 0; j < n; j++) for (int k = 0; k < n; k++) vectors[(k * n) + j] = v[(k * n) + order[j]];
        return (values, vectors);
    }
}
