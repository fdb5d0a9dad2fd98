using SkiaSharp;

namespace Lookalike.Evaluation.Datasets;

/// <summary>A file written by <see cref="PlantedDuplicates"/> and the source it copies.</summary>
/// <param name="Path">The written file.</param>
/// <param name="Source">The image it was made from: files with one source are true duplicates of one another.</param>
/// <param name="Change">How it differs from the source, e.g. "jpeg q60" or "resized 50% png".</param>
public sealed record PlantedCopy(string Path, string Source, string Change);

/// <summary>
/// True near-duplicates for measuring a duplicate finder: each source image re-encoded (JPEG at several
/// qualities, PNG) and resized (down and up), as copies of one photo end up in a real collection.
/// </summary>
public static class PlantedDuplicates
{
    /// <summary>The changes made to every source: a scale of its sides and an encoding.</summary>
    public static IReadOnlyList<(string Change, double Scale, SKEncodedImageFormat Format, int Quality)> Changes { get; } =
    [
        ("jpeg q90", 1.0, SKEncodedImageFormat.Jpeg, 90),
        ("jpeg q60", 1.0, SKEncodedImageFormat.Jpeg, 60),
        ("resized 50% png", 0.5, SKEncodedImageFormat.Png, 100),
        ("resized 75% jpeg q80", 0.75, SKEncodedImageFormat.Jpeg, 80),
        ("resized 200% jpeg q85", 2.0, SKEncodedImageFormat.Jpeg, 85),
    ];

    /// <summary>The change of an original copied as it is.</summary>
    public const string Original = "original";

    /// <summary>
    /// Writes each of <paramref name="sources"/> as it is and with each of <see cref="Changes"/> into <paramref name="folder"/>
    /// (<c>NAME.CHANGE.jpg|png</c>, in a sub-folder per source: <c>NAME</c>, or <c>PARENT-NAME</c> when that is taken).
    /// </summary>
    /// <exception cref="InvalidDataException">when a source cannot be decoded.</exception>
    public static IReadOnlyList<PlantedCopy> Write(IEnumerable<string> sources, string folder)
    {
        var copies = new List<PlantedCopy>();
        foreach (string source in sources)
        {
            using var original = SKBitmap.Decode(source) ?? throw new InvalidDataException($"'{source}' cannot be decoded.");
            string name = System.IO.Path.GetFileNameWithoutExtension(source);
            string target = System.IO.Path.Combine(folder, name);
            if (Directory.Exists(target)) target = System.IO.Path.Combine(folder, $"{System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(source))}-{name}");
            Directory.CreateDirectory(target);
            string copied = System.IO.Path.Combine(target, System.IO.Path.GetFileName(source));
            File.Copy(source, copied);
            copies.Add(new PlantedCopy(copied, source, Original));
            foreach (var (change, scale, format, quality) in Changes)
            {
                int width = Math.Max(8, (int)Math.Round(original.Width * scale)), height = Math.Max(8, (int)Math.Round(original.Height * scale));
                using var resized = scale == 1.0 ? original.Copy() : original.Resize(new SKImageInfo(width, height), new SKSamplingOptions(SKCubicResampler.Mitchell));
                using var data = resized.Encode(format, quality) ?? throw new InvalidDataException($"'{source}' cannot be encoded as {format}.");
                string path = System.IO.Path.Combine(target, $"{name}.{change.Replace(' ', '-').Replace("%", "", StringComparison.Ordinal)}.{(format == SKEncodedImageFormat.Png ? "png" : "jpg")}");
                File.WriteAllBytes(path, data.ToArray());
                copies.Add(new PlantedCopy(path, source, change));
            }
        }
        return copies;
    }
}
