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
        photos.AddRange(LargeJpegs(shared));
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
    /// reference photo scaled to 4000×2700, or PNGs of 5000×3400 (which no codec decodes at a reduced scale).
    /// </summary>
    public static void WriteUploads(string shared, string folder, int count, bool png)
    {
        Directory.CreateDirectory(folder);
        var large = (png ? LargePngs(shared, count) : LargeJpegs(shared, count)).ToList();
        foreach (var (name, bytes) in large) File.WriteAllBytes(Path.Combine(folder, name), bytes);
    }

    private static IEnumerable<(string Name, byte[] Bytes)> LargePngs(string shared, int count)
    {
        using var photo = SKBitmap.Decode(Path.Combine(shared, "images", "rocket.jpg"));
        using var scaled = photo.Resize(new SKImageInfo(5000, 5000 * photo.Height / photo.Width), new SKSamplingOptions(SKFilterMode.Nearest));
        for (int i = 0; i < count; i++)
        {
            scaled.SetPixel(0, 0, new SKColor((byte)i, (byte)(i >> 8), 7));
            using var image = SKImage.FromBitmap(scaled);
            yield return ($"large{i:D3}.png", image.Encode(SKEncodedImageFormat.Png, 100).ToArray());
        }
    }

    private static IEnumerable<(string Name, byte[] Bytes)> LargeJpegs(string shared, int count = 2)
    {
        using var photo = SKBitmap.Decode(Path.Combine(shared, "images", "rocket.jpg"));
        using var scaled = photo.Resize(new SKImageInfo(4000, 4000 * photo.Height / photo.Width), new SKSamplingOptions(SKCubicResampler.Mitchell));
        for (int i = 0; i < count; i++)
        {
            // A different corner pixel and quality per copy: distinct content hashes.
            scaled.SetPixel(0, 0, new SKColor((byte)i, (byte)(i >> 8), 7));
            using var image = SKImage.FromBitmap(scaled);
            yield return ($"large{i:D3}.jpg", image.Encode(SKEncodedImageFormat.Jpeg, 92 + (i % 6)).ToArray());
        }
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
