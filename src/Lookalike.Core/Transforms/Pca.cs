using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Lookalike.Errors;

namespace Lookalike.Transforms;

/// <summary>
/// Principal component analysis: centre, then project onto the top <see cref="OutputDimension"/>
/// eigenvectors of the covariance. Fitted on at most <see cref="MaxTrainingRows"/> rows (a seeded
/// sample); the eigenvectors come from subspace iteration with Rayleigh–Ritz (Jacobi on the small
/// projected matrix), or from Jacobi directly when the dimension is small.
/// </summary>
public sealed class Pca
{
    /// <summary>Most rows used to estimate the covariance.</summary>
    public const int MaxTrainingRows = 20_000;

    private Pca(int inputs, int outputs, float[] mean, float[] components, double[] variances, double totalVariance)
    {
        InputDimension = inputs;
        OutputDimension = outputs;
        Mean = mean;
        Components = components;
        Variances = variances;
        TotalVariance = totalVariance;
    }

    /// <summary>d in.</summary>
    public int InputDimension { get; }

    /// <summary>d out.</summary>
    public int OutputDimension { get; }

    /// <summary>The mean subtracted before projecting.</summary>
    public float[] Mean { get; }

    /// <summary>d_out×d_in row-major: row j is the j-th principal axis (unit length).</summary>
    public float[] Components { get; }

    /// <summary>Variance along each kept axis (the top eigenvalues), descending.</summary>
    public double[] Variances { get; }

    /// <summary>Total variance of the training data (the covariance's trace).</summary>
    public double TotalVariance { get; }

    /// <summary>Share of the variance the kept axes explain.</summary>
    public double ExplainedVarianceRatio => TotalVariance == 0 ? 1 : Variances.Sum() / TotalVariance;

    /// <summary>
    /// Fits a PCA with <paramref name="outputs"/> axes to the n×d <paramref name="data"/>. Without
    /// <paramref name="centre"/> the axes are those of the second-moment matrix (truncated SVD), which
    /// keeps angles between vectors when nothing is cut: the right choice before a cosine index.
    /// </summary>
    public static Pca Fit(ReadOnlySpan<float> data, int inputs, int outputs, int seed = 42, bool centre = true)
    {
        int n = data.Length / inputs;
        if (outputs < 1 || outputs > inputs) throw new LookalikeException($"PCA output dimension must be 1..{inputs} (was {outputs}).");
        if (n < 2) throw new LookalikeException($"PCA needs at least 2 training vectors (got {n}).");
        var rows = Enumerable.Range(0, n).ToArray();
        if (n > MaxTrainingRows)
        {
            new Random(seed).Shuffle(rows);
            rows = rows[..MaxTrainingRows];
        }
        var mean = new double[inputs];
        foreach (int r in rows) for (int j = 0; j < inputs; j++) mean[j] += data[(r * inputs) + j];
        for (int j = 0; j < inputs; j++) mean[j] = centre ? mean[j] / rows.Length : 0;
        var covariance = Covariance(data, inputs, rows, mean);
        double trace = 0;
        for (int j = 0; j < inputs; j++) trace += covariance[(j * inputs) + j];
        var (values, vectors) = inputs <= 64
            ? SymmetricEigen.Jacobi(covariance, inputs)
            : SubspaceIteration(covariance, inputs, Math.Min(inputs, outputs + 10), seed);
        int width = values.Length;
        var components = new float[outputs * inputs];
        for (int o = 0; o < outputs; o++) for (int j = 0; j < inputs; j++) components[(o * inputs) + j] = (float)vectors[(j * width) + o];
        return new Pca(inputs, outputs, [.. mean.Select(m => (float)m)], components, values[..outputs], trace);
    }

    /// <summary>Projects n×d_in vectors to n×d_out.</summary>
    public float[] Transform(ReadOnlySpan<float> vectors)
    {
        int n = vectors.Length / InputDimension;
        var output = new float[n * OutputDimension];
        var centred = new float[InputDimension];
        for (int i = 0; i < n; i++)
        {
            TensorPrimitives.Subtract(vectors.Slice(i * InputDimension, InputDimension), Mean, centred);
            for (int o = 0; o < OutputDimension; o++)
                output[(i * OutputDimension) + o] = TensorPrimitives.Dot(centred, Components.AsSpan(o * InputDimension, InputDimension));
        }
        return output;
    }

    /// <summary>Maps projected vectors back to the input space (mean + Σ coefficient · axis).</summary>
    public float[] Reconstruct(ReadOnlySpan<float> projected)
    {
        int n = projected.Length / OutputDimension;
        var output = new float[n * InputDimension];
        for (int i = 0; i < n; i++)
        {
            var row = output.AsSpan(i * InputDimension, InputDimension);
            Mean.CopyTo(row);
            for (int o = 0; o < OutputDimension; o++)
                TensorPrimitives.MultiplyAdd(Components.AsSpan(o * InputDimension, InputDimension), projected[(i * OutputDimension) + o], row, row);
        }
        return output;
    }

    /// <summary>Writes the fitted state.</summary>
    public void WriteTo(BinaryWriter writer)
    {
        writer.Write(InputDimension);
        writer.Write(OutputDimension);
        writer.Write(TotalVariance);
        writer.Write(MemoryMarshal.AsBytes(Mean.AsSpan()));
        writer.Write(MemoryMarshal.AsBytes(Components.AsSpan()));
        foreach (double v in Variances) writer.Write(v);
    }

    /// <summary>Reads what <see cref="WriteTo"/> wrote.</summary>
    public static Pca ReadFrom(BinaryReader reader)
    {
        int inputs = reader.ReadInt32(), outputs = reader.ReadInt32();
        double total = reader.ReadDouble();
        var mean = new float[inputs];
        reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(mean.AsSpan()));
        var components = new float[outputs * inputs];
        reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(components.AsSpan()));
        var variances = new double[outputs];
        for (int i = 0; i < outputs; i++) variances[i] = reader.ReadDouble();
        return new Pca(inputs, outputs, mean, components, variances, total);
    }

    private static double[] Covariance(ReadOnlySpan<float> data, int d, int[] rows, double[] mean)
    {
        var centred = new float[rows.Length * d];
        for (int i = 0; i < rows.Length; i++)
        {
            for (int j = 0; j < d; j++) centred[(i * d) + j] = (float)(data[(rows[i] * d) + j] - mean[j]);
        }
        var covariance = new double[d * d];
        int n = rows.Length;
        // Row j of the covariance: Σ_i x_ij · x_i, accumulated in float per block of rows, then in double.
        Parallel.For(0, d, j =>
        {
            var acc = new float[d];
            var row = covariance.AsSpan(j * d, d);
            for (int start = 0; start < n; start += 256)
            {
                Array.Clear(acc);
                int end = Math.Min(n, start + 256);
                for (int i = start; i < end; i++)
                {
                    float x = centred[(i * d) + j];
                    if (x != 0) TensorPrimitives.MultiplyAdd(centred.AsSpan(i * d, d), x, acc, acc);
                }
                for (int k = 0; k < d; k++) row[k] += acc[k];
            }
            for (int k = 0; k < d; k++) row[k] /= n;
        });
        return covariance;
    }

    /// <summary>Top-<paramref name="width"/> eigenpairs by orthogonal iteration and Rayleigh–Ritz; columns of the d×width result.</summary>
    private static (double[] Values, double[] Vectors) SubspaceIteration(double[] c, int d, int width, int seed, int iterations = 60)
    {
        // Q holds the basis as rows (width×d) so that every product is a contiguous dot product.
        var random = new Random(seed);
        var q = new double[width * d];
        for (int i = 0; i < q.Length; i++) q[i] = random.NextDouble() - 0.5;
        Orthonormalise(q, d, width);
        var z = new double[width * d];
        for (int iteration = 0; iteration < iterations; iteration++)
        {
            Multiply(c, q, z, d, width);
            Orthonormalise(z, d, width);
            (q, z) = (z, q);
        }
        // Rayleigh–Ritz: T = Qᵀ C Q (width×width) = W Λ Wᵀ; the eigenvectors are Q W.
        Multiply(c, q, z, d, width);
        var t = new double[width * width];
        for (int a = 0; a < width; a++)
        {
            for (int b = 0; b < width; b++) t[(a * width) + b] = TensorPrimitives.Dot<double>(q.AsSpan(a * d, d), z.AsSpan(b * d, d));
        }
        var (values, w) = SymmetricEigen.Jacobi(t, width);
        var vectors = new double[d * width];
        for (int k = 0; k < d; k++)
        {
            for (int j = 0; j < width; j++)
            {
                double s = 0;
                for (int a = 0; a < width; a++) s += q[(a * d) + k] * w[(a * width) + j];
                vectors[(k * width) + j] = s;
            }
        }
        return (values, vectors);
    }

    /// <summary>Rows of <paramref name="result"/> = C · rows of <paramref name="q"/> (C symmetric d×d).</summary>
    private static void Multiply(double[] c, double[] q, double[] result, int d, int width) =>
        Parallel.For(0, d, i =>
        {
            var row = c.AsSpan(i * d, d);
            for (int j = 0; j < width; j++) result[(j * d) + i] = TensorPrimitives.Dot<double>(row, q.AsSpan(j * d, d));
        });

    /// <summary>Modified Gram–Schmidt on the rows of the width×d matrix.</summary>
    private static void Orthonormalise(double[] m, int d, int width)
    {
        for (int j = 0; j < width; j++)
        {
            var row = m.AsSpan(j * d, d);
            for (int p = 0; p < j; p++)
            {
                var other = m.AsSpan(p * d, d);
                double dot = TensorPrimitives.Dot<double>(row, other);
                TensorPrimitives.MultiplyAdd<double>(other, -dot, row, row);
            }
            double norm = TensorPrimitives.Norm<double>(row);
            TensorPrimitives.Divide<double>(row, norm < 1e-300 ? 1 : norm, row);
        }
    }
}
