using System.Buffers.Binary;
using System.IO.Compression;
using Lookalike.Errors;

namespace Lookalike.Evaluation.Datasets;

/// <summary>
/// Fashion-MNIST (Xiao, Rasul &amp; Vollgraf 2017) from Debian's <c>dataset-fashion-mnist</c> IDX files:
/// 28×28 grey images as raw 784-d vectors (pixel values 0..255), the ann-benchmarks
/// <c>fashion-mnist-784-euclidean</c> set, with their class names.
/// </summary>
public static class FashionMnist
{
    /// <summary>Where Debian installs the files.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>Class names by label number.</summary>
    public static readonly string[] ClassNames =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>Loads "train" (60,000) or "test" (10,000).</summary>
    public static LabeledVectors Load(string split, string directory = DefaultDirectory)
    {
        string prefix = split switch
        {
            "train" => "train",
            "test" => "t10k",
            _ => throw new LookalikeException($"Fashion-MNIST has splits 'train' and 'test', not '{split}'."),
        };
        string images = Path.Combine(directory, $"{prefix}-images-idx3-ubyte.gz"), labels = Path.Combine(directory, $"{prefix}-labels-idx1-ubyte.gz");
        if (!File.Exists(images) || !File.Exists(labels))
            throw new LookalikeException($"Fashion-MNIST files not found in '{directory}'; install Debian's dataset-fashion-mnist package.");
        var (pixels, dims) = ReadIdx(images);
        var (classes, _) = ReadIdx(labels);
        int count = dims[0], dimension = dims[1] * dims[2];
        if (classes.Length != count) throw new LookalikeException($"'{labels}' has {classes.Length} labels for {count} images.");
        return new LabeledVectors($"fashion-mnist:{split}", dimension, pixels.Select(p => (float)p).ToArray(),
            classes.Select(c => (string?)ClassNames[c]).ToArray(), Enumerable.Range(0, count).Select(i => $"{split}/{i}").ToArray());
    }

    /// <summary>Reads an (optionally gzipped) IDX file of unsigned bytes: its data and dimensions.</summary>
    public static (byte[] Data, int[] Dimensions) ReadIdx(string path)
    {
        using var file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        var bytes = memory.GetBuffer().AsSpan(0, (int)memory.Length);
        if (bytes.Length < 4 || bytes[0] != 0 || bytes[1] != 0 || bytes[2] != 0x08)
            throw new LookalikeException($"'{path}' is not an IDX file of unsigned bytes.");
        int rank = bytes[3];
        var dims = new int[rank];
        for (int i = 0; i < rank; i++) dims[i] = BinaryPrimitives.ReadInt32BigEndian(bytes.Slice(4 + (4 * i), 4));
        int offset = 4 + (4 * rank);
        long expected = dims.Aggregate(1L, (a, b) => a * b);
        if (bytes.Length - offset != expected) throw new LookalikeException($"'{path}' holds {bytes.Length - offset} bytes of data; its header says {expected}.");
        return (bytes[offset..].ToArray(), dims);
    }
}
