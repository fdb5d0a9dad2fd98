using System.Buffers.Binary;
using System.IO.Compression;
using Lookalike.Errors;
using Lookalike.Features;

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

    /// <summary>
    /// Writes the split as 28×28 greyscale BMP files laid out <c>class/index.bmp</c> under
    /// <paramref name="folder"/> (once; an existing complete export is reused), so the images can go
    /// through the CNN like any photo folder.
    /// </summary>
    public static string ExportImages(string split, string folder, string directory = DefaultDirectory)
    {
        string done = Path.Combine(folder, ".complete");
        if (File.Exists(done)) return folder;
        var data = Load(split, directory);
        for (int i = 0; i < data.Count; i++)
        {
            string label = data.Labels[i]!.Replace('/', '-');
            string classFolder = Path.Combine(folder, label);
            Directory.CreateDirectory(classFolder);
            File.WriteAllBytes(Path.Combine(classFolder, $"{i:D5}.bmp"), GreyBmp(data.Row(i), 28, 28));
        }
        File.WriteAllText(done, $"{data.Count}\n");
        return folder;
    }

    /// <summary>An 8-bit palette BMP (grey ramp) of a width×height image given row by row, top first.</summary>
    internal static byte[] GreyBmp(ReadOnlySpan<float> pixels, int width, int height)
    {
        int stride = (width + 3) & ~3, dataOffset = 14 + 40 + 1024, size = dataOffset + (stride * height);
        var bmp = new byte[size];
        var span = bmp.AsSpan();
        span[0] = (byte)'B';
        span[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(span[2..], size);
        BinaryPrimitives.WriteInt32LittleEndian(span[10..], dataOffset);
        BinaryPrimitives.WriteInt32LittleEndian(span[14..], 40);
        BinaryPrimitives.WriteInt32LittleEndian(span[18..], width);
        BinaryPrimitives.WriteInt32LittleEndian(span[22..], height);
        BinaryPrimitives.WriteInt16LittleEndian(span[26..], 1);
        BinaryPrimitives.WriteInt16LittleEndian(span[28..], 8);
        BinaryPrimitives.WriteInt32LittleEndian(span[34..], stride * height);
        BinaryPrimitives.WriteInt32LittleEndian(span[46..], 256);
        for (int g = 0; g < 256; g++)
        {
            span[54 + (4 * g)] = span[55 + (4 * g)] = span[56 + (4 * g)] = (byte)g;
        }
        // BMP rows run bottom to top.
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++) span[dataOffset + ((height - 1 - y) * stride) + x] = (byte)pixels[(y * width) + x];
        return bmp;
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
