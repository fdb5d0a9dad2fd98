using Lookalike.Errors;
using Lookalike.IO;

namespace Lookalike.Onnx.Imaging;

/// <summary>Something wrong with an image file.</summary>
/// <param name="Path">The file.</param>
/// <param name="Kind">empty, unsupported, truncated, corrupt, too large, absurd dimensions, unreadable, or wrong extension.</param>
/// <param name="Reason">What exactly is wrong.</param>
/// <param name="Decodable">True when the file still decodes (a wrong extension): a warning, not a failure.</param>
public sealed record ImageFinding(string Path, string Kind, string Reason, bool Decodable);

/// <summary>
/// The check <c>lookalike check</c> runs on every file, with the same decoder and limits the indexer
/// uses: the header is probed (format, dimensions within the pixel and aspect limits), the extension
/// compared with the real format, then the image decoded completely (at a reduced scale where the
/// format allows) so that truncated and corrupt data show up.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public sealed class ImageChecker(ImageLoader loader)
{
    private static readonly Dictionary<string, string[]> ExtensionsOf = new(StringComparer.Ordinal)
    {
        ["jpeg"] = [".jpg", ".jpeg", ".jpe", ".jfif"],
        ["png"] = [".png"],
        ["gif"] = [".gif"],
        ["bmp"] = [".bmp", ".dib"],
        ["webp"] = [".webp"],
    };

    /// <summary>The problem with <paramref name="path"/>, or null when it is a good image.</summary>
    public ImageFinding? Check(string path)
    {
        byte[] bytes;
        try
        {
            bytes = BoundedFileReader.ReadAsync(path).GetAwaiter().GetResult();
        }
        catch (UnreadableFileException e)
        {
            return new ImageFinding(path, "unreadable", e.Reason, false);
        }
        try
        {
            var (format, _, _) = loader.Probe(bytes, path);
            loader.Load(bytes, path, 8, 8);
            string extension = System.IO.Path.GetExtension(path).ToLowerInvariant();
            if (ExtensionsOf.TryGetValue(format, out var expected) && !expected.Contains(extension))
                return new ImageFinding(path, "wrong extension", $"the file is {format.ToUpperInvariant()} but named {extension}", true);
            return null;
        }
        catch (ImageDecodeException e)
        {
            return new ImageFinding(path, KindOf(e.Problem), e.Reason, false);
        }
    }

    private static string KindOf(ImageProblem problem) => problem switch
    {
        ImageProblem.Empty => "empty",
        ImageProblem.Unsupported => "unsupported",
        ImageProblem.Truncated => "truncated",
        ImageProblem.TooLarge => "too large",
        ImageProblem.AbsurdDimensions => "absurd dimensions",
        _ => "corrupt",
    };
}
