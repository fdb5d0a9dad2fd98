using System.Numerics;
using System.Numerics.Tensors;

namespace Lookalike.Indexes;

/// <summary>
/// The hash functions of <see cref="CrossPolytopeLsh"/> (Andoni et al., NeurIPS 2015; FALCONN): each is a
/// pseudo-random rotation — three rounds of a random ±1 diagonal followed by the fast Hadamard
/// transform — of the vector zero-padded to a power of two, and its value is the index and sign of
/// the largest coordinate (the nearest vertex of the cross-polytope). The last function of a table
/// may work in a smaller <c>lastDimension</c>: the vector is first feature-hashed down to it (each
/// coordinate added, with a random sign, to one random slot), which makes the number of buckets
/// finer-grained than powers of 2·D.
/// </summary>
/// <remarks>Drawn table after table from one seeded stream, so fewer tables are a prefix of more. Thread-safe once built.</remarks>
internal sealed class CrossPolytopeHash
{
    private const int Rounds = 3;
    private readonly float[][] _signs; // [table * hashes + function] → Rounds × width of that function
    private readonly int[][] _slots; // [table] → slot of each input coordinate in the last function (when it is smaller)
    private readonly float[][] _slotSigns;

    public CrossPolytopeHash(int dimension, int tables, int hashes, int lastDimension, int seed)
    {
        Hashes = hashes;
        Padded = (int)BitOperations.RoundUpToPowerOf2((uint)dimension);
        Last = lastDimension == 0 ? Padded : lastDimension;
        var random = new Random(seed);
        _signs = new float[tables * hashes][];
        _slots = new int[tables][];
        _slotSigns = new float[tables][];
        for (int t = 0; t < tables; t++)
        {
            for (int j = 0; j < hashes; j++)
            {
                var signs = new float[Rounds * Width(j)];
                for (int i = 0; i < signs.Length; i++) signs[i] = random.Next(2) == 0 ? -1f : 1f;
                _signs[(t * hashes) + j] = signs;
            }
            if (!FeatureHashed) continue;
            _slots[t] = new int[dimension];
            _slotSigns[t] = new float[dimension];
            for (int i = 0; i < dimension; i++)
            {
                _slots[t][i] = random.Next(Last);
                _slotSigns[t][i] = random.Next(2) == 0 ? -1f : 1f;
            }
        }
    }

    public int Hashes { get; }

    /// <summary>The input dimension rounded up to a power of two: the width of every function but the last.</summary>
    public int Padded { get; }

    /// <summary>The width of the last function of each table.</summary>
    public int Last { get; }

    private bool FeatureHashed => Last < Padded;

    /// <summary>The width of function <paramref name="function"/> (its values are 0 .. 2·width − 1).</summary>
    public int Width(int function) => function == Hashes - 1 ? Last : Padded;

    /// <summary>Rotates <paramref name="vector"/> by function <paramref name="function"/> of table <paramref name="table"/> into <paramref name="output"/> (its <see cref="Width"/> floats).</summary>
    public void Rotate(ReadOnlySpan<float> vector, int table, int function, Span<float> output)
    {
        int width = Width(function);
        output = output[..width];
        output.Clear();
        if (function == Hashes - 1 && FeatureHashed)
        {
            int[] slots = _slots[table];
            float[] slotSigns = _slotSigns[table];
            for (int i = 0; i < vector.Length; i++) output[slots[i]] += slotSigns[i] * vector[i];
        }
        else
        {
            vector.CopyTo(output);
        }
        var signs = _signs[(table * Hashes) + function].AsSpan();
        for (int round = 0; round < Rounds; round++)
        {
            TensorPrimitives.Multiply(output, signs.Slice(round * width, width), output);
            FastHadamard.Transform(output);
        }
    }

    /// <summary>The nearest cross-polytope vertex of a rotated vector: 2·index, plus 1 when that coordinate is negative.</summary>
    public static int Vertex(ReadOnlySpan<float> rotated)
    {
        int best = 0;
        float bestAbs = -1;
        for (int i = 0; i < rotated.Length; i++)
        {
            float a = MathF.Abs(rotated[i]);
            if (a > bestAbs) (best, bestAbs) = (i, a);
        }
        return (2 * best) + (rotated[best] < 0 ? 1 : 0);
    }

    /// <summary>Table <paramref name="table"/>'s code of <paramref name="vector"/> (one vertex per function) into <paramref name="code"/>; <paramref name="scratch"/> holds <see cref="Padded"/> floats.</summary>
    public void Code(ReadOnlySpan<float> vector, int table, Span<int> code, Span<float> scratch)
    {
        for (int j = 0; j < Hashes; j++)
        {
            var rotated = scratch[..Width(j)];
            Rotate(vector, table, j, rotated);
            code[j] = Vertex(rotated);
        }
    }
}
