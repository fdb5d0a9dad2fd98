using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using Lookalike.Errors;

namespace Lookalike.IO;

/// <summary>NumPy <c>.npy</c> (format 1.0/2.0) for 2-D little-endian float32 C-order arrays, as numpy and faiss read them.</summary>
public static partial class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Writes an n×d float32 matrix atomically.</summary>
    public static void Write(string path, float[] values, int rows, int columns)
    {
        if (values.Length != rows * columns) throw new ArgumentException("values must hold rows × columns floats.");
        string header = string.Create(CultureInfo.InvariantCulture, $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {columns}), }}");
        int total = Magic.Length + 4 + header.Length + 1;
        header = header.PadRight(header.Length + ((64 - (total % 64)) % 64)) + "\n";
        AtomicFile.Write(path, stream =>
        {
            stream.Write(Magic);
            stream.Write([1, 0]);
            stream.Write(BitConverter.GetBytes((ushort)header.Length));
            stream.Write(Encoding.ASCII.GetBytes(header));
            stream.Write(MemoryMarshal.AsBytes(values.AsSpan()));
        });
    }

    /// <summary>Reads an n×d float32 matrix.</summary>
    /// <exception cref="LookalikeException">for anything but a 2-D little-endian float32 C-order array.</exception>
    public static (float[] Values, int Rows, int Columns) Read(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream);
        if (!reader.ReadBytes(6).AsSpan().SequenceEqual(Magic)) throw new LookalikeException($"'{path}' is not a .npy file.");
        byte major = reader.ReadByte();
        reader.ReadByte();
        int headerLength = major == 1 ? reader.ReadUInt16() : (int)reader.ReadUInt32();
        string header = Encoding.ASCII.GetString(reader.ReadBytes(headerLength));
        if (!header.Contains("'<f4'", StringComparison.Ordinal))
            throw new LookalikeException($"'{path}' does not hold little-endian float32 ('<f4'); its header: {header.Trim()}");
        if (header.Contains("'fortran_order': True", StringComparison.Ordinal))
            throw new LookalikeException($"'{path}' is in Fortran order; save it with numpy.ascontiguousarray.");
        var shape = ShapePattern().Match(header);
        if (!shape.Success) throw new LookalikeException($"'{path}' is not a 2-D array; its header: {header.Trim()}");
        int rows = int.Parse(shape.Groups[1].Value, CultureInfo.InvariantCulture), columns = int.Parse(shape.Groups[2].Value, CultureInfo.InvariantCulture);
        var values = new float[checked(rows * columns)];
        stream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        return (values, rows, columns);
    }

    [GeneratedRegex(@"'shape':\s*\((\d+),\s*(\d+)\)")]
    private static partial Regex ShapePattern();
}

/// <summary>The <c>.fvecs</c> format of the ANN benchmark sets: per vector an int32 dimension, then that many float32.</summary>
public static class FvecsFile
{
    /// <summary>Writes vectors atomically.</summary>
    public static void Write(string path, float[] values, int dimension) =>
        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            for (int i = 0; i < values.Length; i += dimension)
            {
                writer.Write(dimension);
                writer.Write(MemoryMarshal.AsBytes(values.AsSpan(i, dimension)));
            }
        });

    /// <summary>Reads all vectors; they must share one dimension.</summary>
    public static (float[] Values, int Rows, int Columns) Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < 4) throw new LookalikeException($"'{path}' is empty.");
        int d = BitConverter.ToInt32(bytes, 0);
        if (d <= 0 || bytes.Length % (4 + (4 * d)) != 0) throw new LookalikeException($"'{path}' is not an .fvecs file of {d}-d vectors.");
        int rows = bytes.Length / (4 + (4 * d));
        var values = new float[rows * d];
        for (int i = 0; i < rows; i++)
        {
            int offset = i * (4 + (4 * d));
            if (BitConverter.ToInt32(bytes, offset) != d) throw new LookalikeException($"'{path}': vector {i} is not {d}-d.");
            MemoryMarshal.Cast<byte, float>(bytes.AsSpan(offset + 4, 4 * d)).CopyTo(values.AsSpan(i * d, d));
        }
        return (values, rows, d);
    }
}
