using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Lookalike.Errors;

namespace Lookalike.Indexes.Quantization;

/// <summary>How <see cref="Sq"/> stores each component.</summary>
public enum VectorStorage
{
    /// <summary>One byte: the component's place between its dimension's trained minimum and maximum (faiss's SQ8).</summary>
    Sq8,

    /// <summary>Two bytes: IEEE half precision (faiss's SQfp16).</summary>
    F16,
}

/// <summary>
/// Encodes vectors component by component (SQ8 or float16) and computes distances from a float
/// query to a code without decoding it to memory: for SQ8, Σ w_j (q'_j − c_j)² with the query moved
/// into code space (q'_j = (q_j − min_j) / step_j, w_j = step_j²) or, for cosine, 1 − (q·min + Σ q_j step_j c_j);
/// AVX-512 (sixteen codes a step) or AVX2 (eight) widen the bytes to floats in registers.
/// </summary>
public sealed unsafe class ScalarQuantizer
{
    private readonly float[] _min;
    private readonly float[] _step;

    private ScalarQuantizer(VectorStorage storage, DistanceMetric metric, float[] min, float[] step)
    {
        Storage = storage;
        Metric = metric;
        _min = min;
        _step = step;
    }

    /// <summary>SQ8 or F16.</summary>
    public VectorStorage Storage { get; }

    /// <summary>The metric distances are computed in.</summary>
    public DistanceMetric Metric { get; }

    /// <summary>Components per vector.</summary>
    public int Dimension => _min.Length;

    /// <summary>Bytes of one code.</summary>
    public int CodeBytes => Storage == VectorStorage.Sq8 ? Dimension : 2 * Dimension;

    /// <summary>Learns each dimension's range from n×d training vectors (as the index compares them); F16 needs none.</summary>
    public static ScalarQuantizer Train(VectorStorage storage, DistanceMetric metric, ReadOnlySpan<float> vectors, int dimension)
    {
        int n = vectors.Length / dimension;
        if (storage == VectorStorage.Sq8 && n == 0) throw new LookalikeException("SQ8 needs training vectors to learn each dimension's range.");
        var min = new float[dimension];
        var step = new float[dimension];
        if (storage == VectorStorage.Sq8)
        {
            var max = new float[dimension];
            vectors[..dimension].CopyTo(min);
            vectors[..dimension].CopyTo(max);
            for (int i = 1; i < n; i++)
            {
                var row = vectors.Slice(i * dimension, dimension);
                TensorPrimitives.Min(min, row, min);
                TensorPrimitives.Max(max, row, max);
            }
            for (int j = 0; j < dimension; j++) step[j] = (max[j] - min[j]) / 255f;
        }
        return new ScalarQuantizer(storage, metric, min, step);
    }

    /// <summary>Writes the code of <paramref name="vector"/> (as the index compares it) into <paramref name="code"/>.</summary>
    public void Encode(ReadOnlySpan<float> vector, Span<byte> code)
    {
        if (Storage == VectorStorage.F16)
        {
            for (int j = 0; j < Dimension; j++) BitConverter.TryWriteBytes(code.Slice(2 * j, 2), (Half)vector[j]);
            return;
        }
        for (int j = 0; j < Dimension; j++)
        {
            float level = _step[j] > 0 ? (vector[j] - _min[j]) / _step[j] : 0;
            code[j] = (byte)Math.Clamp(MathF.Round(level), 0, 255);
        }
    }

    /// <summary>
    /// Fills <paramref name="transformed"/> (d floats) with the query in code space and returns the
    /// constant term: for SQ8 L2, q'; for SQ8 cosine, q_j·step_j and q·min; for F16, the query itself.
    /// </summary>
    public float PrepareQuery(ReadOnlySpan<float> query, Span<float> transformed)
    {
        if (Storage == VectorStorage.F16)
        {
            query.CopyTo(transformed);
            return 0;
        }
        if (Metric == DistanceMetric.Cosine)
        {
            TensorPrimitives.Multiply(query, _step, transformed);
            return TensorPrimitives.Dot(query, _min);
        }
        for (int j = 0; j < Dimension; j++) transformed[j] = _step[j] > 0 ? (query[j] - _min[j]) / _step[j] : 0;
        return 0;
    }

    /// <summary>The ranking distance (squared L2, or 1 − cosine) from a prepared query to a code; <paramref name="scratch"/> holds d floats (F16).</summary>
    public float RankingDistance(ReadOnlySpan<float> transformed, float constant, ReadOnlySpan<byte> code, Span<float> scratch)
    {
        if (Storage == VectorStorage.F16)
        {
            var decoded = scratch[..Dimension];
            TensorPrimitives.ConvertToSingle(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, Half>(code), decoded);
            return Metric == DistanceMetric.L2 ? VectorKernels.SquaredL2(transformed, decoded) : 1f - VectorKernels.Dot(transformed, decoded);
        }
        fixed (float* q = transformed)
        fixed (float* w = _step)
        fixed (byte* c = code)
        {
            return Metric == DistanceMetric.L2 ? Sq8L2(q, w, c, Dimension) : 1f - (constant + Sq8Dot(q, c, Dimension));
        }
    }

    /// <summary>Σ step_j² (q'_j − c_j)².</summary>
    private static float Sq8L2(float* q, float* step, byte* c, int d)
    {
        int j = 0;
        float sum = 0;
        if (Avx512F.IsSupported)
        {
            // Two accumulators, so that consecutive fused multiply-adds do not wait for each other.
            Vector512<float> acc = Vector512<float>.Zero, acc2 = acc;
            for (; j <= d - 32; j += 32)
            {
                var diff = (Avx512F.LoadVector512(q + j) - Widen512(c + j)) * Avx512F.LoadVector512(step + j);
                var diff2 = (Avx512F.LoadVector512(q + j + 16) - Widen512(c + j + 16)) * Avx512F.LoadVector512(step + j + 16);
                acc = Avx512F.FusedMultiplyAdd(diff, diff, acc);
                acc2 = Avx512F.FusedMultiplyAdd(diff2, diff2, acc2);
            }
            for (; j <= d - 16; j += 16)
            {
                var diff = (Avx512F.LoadVector512(q + j) - Widen512(c + j)) * Avx512F.LoadVector512(step + j);
                acc = Avx512F.FusedMultiplyAdd(diff, diff, acc);
            }
            sum = Vector512.Sum(acc + acc2);
        }
        if (Avx2.IsSupported && Fma.IsSupported)
        {
            var acc = Vector256<float>.Zero;
            for (; j <= d - 8; j += 8)
            {
                var code = Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(c + j));
                var w = Avx.LoadVector256(step + j);
                var diff = (Avx.LoadVector256(q + j) - code) * w;
                acc = Fma.MultiplyAdd(diff, diff, acc);
            }
            sum += Vector256.Sum(acc);
        }
        for (; j < d; j++)
        {
            float diff = (q[j] - c[j]) * step[j];
            sum += diff * diff;
        }
        return sum;
    }

    /// <summary>Σ qs_j c_j.</summary>
    private static float Sq8Dot(float* q, byte* c, int d)
    {
        int j = 0;
        float sum = 0;
        if (Avx512F.IsSupported)
        {
            Vector512<float> acc = Vector512<float>.Zero, acc2 = acc;
            for (; j <= d - 32; j += 32)
            {
                acc = Avx512F.FusedMultiplyAdd(Avx512F.LoadVector512(q + j), Widen512(c + j), acc);
                acc2 = Avx512F.FusedMultiplyAdd(Avx512F.LoadVector512(q + j + 16), Widen512(c + j + 16), acc2);
            }
            for (; j <= d - 16; j += 16) acc = Avx512F.FusedMultiplyAdd(Avx512F.LoadVector512(q + j), Widen512(c + j), acc);
            sum = Vector512.Sum(acc + acc2);
        }
        if (Avx2.IsSupported && Fma.IsSupported)
        {
            var acc = Vector256<float>.Zero;
            for (; j <= d - 8; j += 8)
            {
                var code = Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(c + j));
                acc = Fma.MultiplyAdd(Avx.LoadVector256(q + j), code, acc);
            }
            sum += Vector256.Sum(acc);
        }
        for (; j < d; j++) sum += q[j] * c[j];
        return sum;
    }

    /// <summary>Sixteen code bytes as floats.</summary>
    private static Vector512<float> Widen512(byte* c) => Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Sse2.LoadVector128(c)));

    /// <summary>Writes the trained ranges.</summary>
    public void WriteTo(BinaryWriter writer)
    {
        writer.Write((byte)Storage);
        writer.Write(Dimension);
        for (int j = 0; j < Dimension; j++)
        {
            writer.Write(_min[j]);
            writer.Write(_step[j]);
        }
    }

    /// <summary>Reads what <see cref="WriteTo"/> wrote.</summary>
    public static ScalarQuantizer ReadFrom(BinaryReader reader, DistanceMetric metric, int dimension)
    {
        var storage = (VectorStorage)reader.ReadByte();
        if (!Enum.IsDefined(storage) || reader.ReadInt32() != dimension) throw new LookalikeException("Index file is damaged (quantizer).");
        var min = new float[dimension];
        var step = new float[dimension];
        for (int j = 0; j < dimension; j++)
        {
            min[j] = reader.ReadSingle();
            step[j] = reader.ReadSingle();
        }
        return new ScalarQuantizer(storage, metric, min, step);
    }
}
