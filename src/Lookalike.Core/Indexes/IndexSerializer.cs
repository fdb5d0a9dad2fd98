using System.Text;
using Lookalike.Errors;

namespace Lookalike.Indexes;

/// <summary>
/// Saves and loads any index through one format: magic "LKIDX", format version, type name,
/// dimension, metric, then the index's own state.
/// </summary>
public static class IndexSerializer
{
    private static readonly byte[] Magic = "LKIDX"u8.ToArray();

    /// <summary>The format version written by this build.</summary>
    public const int Version = 1;

    private static readonly Dictionary<string, Func<BinaryReader, int, DistanceMetric, IVectorIndex>> Readers =
        new(StringComparer.Ordinal)
        {
            [Flat.TypeName] = Flat.ReadFrom,
            [E2Lsh.TypeName] = E2Lsh.ReadFrom,
            [HyperplaneLsh.TypeName] = HyperplaneLsh.ReadFrom,
            [Ivf.TypeName] = Ivf.ReadFrom,
            [PcaIndex.TypeName] = PcaIndex.ReadFrom,
        };

    private static readonly Lock Registration = new();

    /// <summary>Adds a reader for an index type from another assembly (see <see cref="IndexFactory.Register"/>).</summary>
    public static void Register(string typeName, Func<BinaryReader, int, DistanceMetric, IVectorIndex> read)
    {
        lock (Registration) Readers[typeName] = read;
    }

    /// <summary>Writes <paramref name="index"/> to <paramref name="stream"/>.</summary>
    public static void Save(IVectorIndex index, Stream stream)
    {
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(Version);
        writer.Write(TypeNameOf(index));
        writer.Write(index.Dimension);
        writer.Write((byte)index.Metric);
        index.WriteTo(writer);
    }

    /// <summary>Reads an index written by <see cref="Save(IVectorIndex, Stream)"/>.</summary>
    /// <exception cref="LookalikeException">when the stream is not an index file or of an unknown version.</exception>
    public static IVectorIndex Load(Stream stream)
    {
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        try
        {
            if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
                throw new LookalikeException("Not a Lookalike index file (bad magic header).");
            int version = reader.ReadInt32();
            if (version != Version)
                throw new LookalikeException($"Index file format version {version} is not supported; this build reads version {Version}.");
            string type = reader.ReadString();
            int dimension = reader.ReadInt32();
            var metric = (DistanceMetric)reader.ReadByte();
            Func<BinaryReader, int, DistanceMetric, IVectorIndex>? read;
            lock (Registration) Readers.TryGetValue(type, out read);
            if (read is null)
                throw new LookalikeException($"Index file holds an unknown index type '{type}'.");
            return read(reader, dimension, metric);
        }
        catch (EndOfStreamException e)
        {
            throw new LookalikeException("Index file is truncated.", e);
        }
    }

    /// <summary>Saves to a file atomically (temporary file, flush, rename).</summary>
    public static void Save(IVectorIndex index, string path) =>
        IO.AtomicFile.Write(path, stream => Save(index, stream));

    /// <summary>Loads from a file.</summary>
    public static IVectorIndex Load(string path)
    {
        using var stream = File.OpenRead(path);
        return Load(stream);
    }

    private static string TypeNameOf(IVectorIndex index)
    {
        int paren = index.Spec.IndexOf('(');
        return paren < 0 ? index.Spec : index.Spec[..paren];
    }
}
