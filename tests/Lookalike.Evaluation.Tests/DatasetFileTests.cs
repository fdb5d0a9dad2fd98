using System.IO.Compression;
using Lookalike.Errors;
using Lookalike.Evaluation.Datasets;
using Lookalike.IO;
using Lookalike.Tests.Common;

namespace Lookalike.Evaluation.Tests;

public sealed class DatasetFileTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    [Fact]
    public void Npy_and_fvecs_round_trip()
    {
        float[] values = RandomVectors.Gaussian(7, 5, seed: 1);
        NpyFile.Write(_temp.Combine("x.npy"), values, 7, 5);
        var (read, rows, columns) = NpyFile.Read(_temp.Combine("x.npy"));
        Assert.Equal((7, 5), (rows, columns));
        Assert.Equal(values, read);
        // numpy requires the header to end on a 64-byte boundary.
        var bytes = File.ReadAllBytes(_temp.Combine("x.npy"));
        Assert.Equal(0, (bytes.Length - (values.Length * 4)) % 64);

        FvecsFile.Write(_temp.Combine("x.fvecs"), values, 5);
        Assert.Equal(7 * (4 + 20), new FileInfo(_temp.Combine("x.fvecs")).Length);
        var (fromFvecs, fvecsRows, fvecsColumns) = FvecsFile.Read(_temp.Combine("x.fvecs"));
        Assert.Equal((7, 5), (fvecsRows, fvecsColumns));
        Assert.Equal(values, fromFvecs);
    }

    [Fact]
    public async Task A_feature_file_takes_its_labels_from_a_sidecar()
    {
        NpyFile.Write(_temp.Combine("f.npy"), [1, 2, 3, 4, 5, 6], 3, 2);
        await File.WriteAllLinesAsync(_temp.Combine("f.npy.labels.txt"), ["cat", "dog", ""]);
        var loaded = await new DatasetLoader(() => throw new InvalidOperationException("no model needed"), _temp.Path).LoadAsync(_temp.Combine("f.npy"));
        Assert.Equal(new[] { "cat", "dog", null }, loaded.Labels.AsEnumerable());
        Assert.Equal([3, 4], loaded.Row(1).ToArray());
    }

    [Fact]
    public void Idx_files_are_read_with_their_dimensions()
    {
        byte[] idx = [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
        using (var file = File.Create(_temp.Combine("x-idx3-ubyte.gz")))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        {
            gzip.Write(idx);
        }
        var (data, dims) = FashionMnist.ReadIdx(_temp.Combine("x-idx3-ubyte.gz"));
        Assert.Equal([2, 2, 3], dims);
        Assert.Equal(Enumerable.Range(1, 12).Select(i => (byte)i), data);
        File.WriteAllBytes(_temp.Combine("bad"), idx[..20]);
        Assert.Throws<LookalikeException>(() => FashionMnist.ReadIdx(_temp.Combine("bad")));
    }

    [Fact]
    public void Fashion_mnist_loads_when_installed()
    {
        if (!Directory.Exists(FashionMnist.DefaultDirectory))
        {
            Assert.Throws<LookalikeException>(() => FashionMnist.Load("test"));
            return;
        }
        var test = FashionMnist.Load("test");
        Assert.Equal((10000, 784), (test.Count, test.Dimension));
        Assert.Equal(10, test.Labels.Distinct().Count());
        Assert.InRange(test.Vectors.Max(), 200, 255);
    }

    [Fact]
    public void Grey_bmp_export_decodes_to_the_same_pixels()
    {
        float[] pixels = Enumerable.Range(0, 28 * 28).Select(i => (float)(i % 256)).ToArray();
        byte[] bmp = FashionMnist.GreyBmp(pixels, 28, 28);
        var image = new Lookalike.Onnx.Imaging.ImageLoader().Load(bmp, "x.bmp", 28, 28);
        for (int i = 0; i < 28 * 28; i++) Assert.Equal(pixels[i], image.Rgba[i * 4]);
    }

    public void Dispose() => _temp.Dispose();
}
