using System.Diagnostics;
using Lookalike.Onnx.Imaging;
using Lookalike.Onnx.Imaging.Isolation;
using SkiaSharp;

namespace Lookalike.Benchmarks;

/// <summary>
/// The cost of decoding uploads in worker processes: milliseconds per image in this process and
/// through <see cref="IsolatedImageDecoder"/>, interleaved image by image in the same run.
/// </summary>
internal static class DecodeComparison
{
    public static void Run(string shared, int rounds)
    {
        var photos = Directory.GetFiles(Path.Combine(shared, "images")).Where(p => p.EndsWith(".png", StringComparison.Ordinal) || p.EndsWith(".jpg", StringComparison.Ordinal)).Order(StringComparer.Ordinal)
            .Select(p => (Name: Path.GetFileName(p), Bytes: File.ReadAllBytes(p))).ToList();
        photos.AddRange(LargeImages(shared));
        var loader = new ImageLoader();
        using var isolated = new IsolatedImageDecoder(IsolatedDecoderOptions.Installed());
        foreach (var (name, bytes) in photos)
        {
            loader.Load(bytes, name, 224, 224); // warm-up both
            isolated.Load(bytes, name, 224, 224);
        }
        Console.WriteLine($"Decoding to 224×224, {rounds} rounds, in-process and worker interleaved; {Environment.ProcessorCount} cores.");
        Console.WriteLine();
        Console.WriteLine("| image | bytes | in-process ms | worker ms | worker − in-process ms |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var (name, bytes) in photos)
        {
            var here = new List<double>();
            var there = new List<double>();
            for (int r = 0; r < rounds; r++)
            {
                var clock = Stopwatch.StartNew();
                loader.Load(bytes, name, 224, 224);
                here.Add(clock.Elapsed.TotalMilliseconds);
                clock.Restart();
                isolated.Load(bytes, name, 224, 224);
                there.Add(clock.Elapsed.TotalMilliseconds);
            }
            double h = Median(here), t = Median(there);
            Console.WriteLine($"| {name} | {bytes.Length:N0} | {h:F1} | {t:F1} | {t - h:F1} |");
        }
    }

    /// <summary>
    /// Writes <paramref name="count"/> large distinct uploads into <paramref name="folder"/>: JPEGs of the
    /// reference rocket photo scaled to 4000×5995 (24 MP), or PNGs of 5000×7494 (37 MP, which no codec
    /// decodes at a reduced scale).
    /// </summary>
    public static void WriteUploads(string shared, string folder, int count, bool png)
    {
        Directory.CreateDirectory(folder);
        foreach (var (name, bytes) in LargeImages(shared, count, png)) File.WriteAllBytes(Path.Combine(folder, name), bytes);
    }

    private static IEnumerable<(string Name, byte[] Bytes)> LargeImages(string shared, int count = 2, bool png = false)
    {
        using var photo = SKBitmap.Decode(Path.Combine(shared, "images", "rocket.jpg"));
        int width = png ? 5000 : 4000;
        using var scaled = photo.Resize(new SKImageInfo(width, width * photo.Height / photo.Width),
            png ? new SKSamplingOptions(SKFilterMode.Nearest) : new SKSamplingOptions(SKCubicResampler.Mitchell));
        for (int i = 0; i < count; i++)
        {
            // A different corner pixel (and JPEG quality) per copy: distinct content hashes.
            scaled.SetPixel(0, 0, new SKColor((byte)i, (byte)(i >> 8), 7));
            using var image = SKImage.FromBitmap(scaled);
            yield return png
                ? ($"large{i:D3}.png", image.Encode(SKEncodedImageFormat.Png, 100).ToArray())
                : ($"large{i:D3}.jpg", image.Encode(SKEncodedImageFormat.Jpeg, 92 + (i % 6)).ToArray());
        }
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
