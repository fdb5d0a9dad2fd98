using Google.Protobuf;
using Lookalike.Errors;
using Lookalike.IO;
using OnnxProto = global::Onnx;

namespace Lookalike.Onnx.Import;

/// <summary>Reads and writes whole ONNX model files with the same protobuf code the import uses.</summary>
internal static class OnnxModelFile
{
    /// <exception cref="LookalikeException">when the file is missing or is not an ONNX model.</exception>
    public static OnnxProto.ModelProto Read(string path)
    {
        if (!File.Exists(path)) throw new LookalikeException($"Model file '{path}' does not exist.");
        try
        {
            using var stream = File.OpenRead(path);
            var model = OnnxProto.ModelProto.Parser.ParseFrom(stream);
            return model.Graph is null
                ? throw new LookalikeException($"'{path}' is not an ONNX model (no graph).")
                : model;
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new LookalikeException($"'{path}' is not an ONNX model: {e.Message}", e);
        }
    }

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> atomically.</summary>
    public static void Write(OnnxProto.ModelProto model, string path)
    {
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        AtomicFile.Write(path, model.WriteTo);
    }

    /// <summary>Sets (or replaces) one metadata property.</summary>
    public static void SetMetadata(OnnxProto.ModelProto model, string key, string value)
    {
        var existing = model.MetadataProps.FirstOrDefault(p => p.Key == key);
        if (existing is not null) existing.Value = value;
        else model.MetadataProps.Add(new OnnxProto.StringStringEntryProto { Key = key, Value = value });
    }

    /// <summary>The metadata properties of a model file, read without its weights (other fields are skipped, not parsed).</summary>
    public static IReadOnlyDictionary<string, string> ReadMetadata(string path)
    {
        const int MetadataField = 14;
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var stream = new BufferedStream(File.OpenRead(path), 1 << 16);
            while (ReadVarint(stream) is { } tag)
            {
                int field = (int)(tag >> 3);
                switch ((int)(tag & 7))
                {
                    case 0: _ = ReadVarint(stream) ?? throw new EndOfStreamException(); break;
                    case 1: stream.Seek(8, SeekOrigin.Current); break;
                    case 5: stream.Seek(4, SeekOrigin.Current); break;
                    case 2:
                        long length = (long)(ReadVarint(stream) ?? throw new EndOfStreamException());
                        if (field != MetadataField)
                        {
                            stream.Seek(length, SeekOrigin.Current);
                            break;
                        }
                        byte[] bytes = new byte[length];
                        stream.ReadExactly(bytes);
                        var entry = OnnxProto.StringStringEntryProto.Parser.ParseFrom(bytes);
                        result[entry.Key] = entry.Value;
                        break;
                    default: return result;
                }
            }
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or EndOfStreamException or IOException or OverflowException)
        {
            // Not an ONNX file (or a damaged one): whatever was read; loading the model says what is wrong.
        }
        return result;
    }

    private static ulong? ReadVarint(Stream stream)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            int b = stream.ReadByte();
            if (b < 0) return shift == 0 ? null : throw new EndOfStreamException();
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw new IOException("A varint is longer than 10 bytes.");
    }
}
