using System.Runtime.InteropServices;
using Lookalike.Errors;

namespace Lookalike.Storage.Postgres;

/// <summary>A vector as stored: little-endian float32 components, 4 bytes each.</summary>
internal static class VectorBytes
{
    /// <summary>The bytes of <paramref name="vector"/>.</summary>
    public static byte[] FromFloats(ReadOnlySpan<float> vector) => MemoryMarshal.AsBytes(vector).ToArray();

    /// <summary>The vector stored in <paramref name="bytes"/>.</summary>
    /// <exception cref="LookalikeException">when they are not <paramref name="dimension"/> floats.</exception>
    public static float[] ToFloats(byte[] bytes, int dimension, long id) => bytes.Length == dimension * sizeof(float)
        ? MemoryMarshal.Cast<byte, float>(bytes).ToArray()
        : throw new LookalikeException($"The stored vector of image {id} has {bytes.Length} bytes, not {dimension * sizeof(float)}.");
}
