using Lookalike.Collections;
using Microsoft.AspNetCore.Http;

namespace Lookalike.Web.Hosting;

/// <summary>Reads a collection image's source file; the path comes from the collection, never from a request.</summary>
internal static class ImageFileReader
{
    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".jpg"] = "image/jpeg",
        [".jpeg"] = "image/jpeg",
        [".png"] = "image/png",
        [".gif"] = "image/gif",
        [".bmp"] = "image/bmp",
        [".webp"] = "image/webp",
    };

    /// <summary>The MIME type of an image file by its extension.</summary>
    public static string ContentTypeOf(string path) =>
        ContentTypes.GetValueOrDefault(Path.GetExtension(path), "application/octet-stream");

    /// <summary>The source file's path when it still exists.</summary>
    /// <exception cref="RequestProblemException">404 when the file has been moved or deleted.</exception>
    public static string ExistingPath(ImageRecord image) => File.Exists(image.Path) ? image.Path : throw Gone(image);

    public static async Task<byte[]> ReadAsync(ImageRecord image, CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllBytesAsync(ExistingPath(image), cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            // Deleted between the check and the read.
            throw Gone(image);
        }
    }

    private static RequestProblemException Gone(ImageRecord image) =>
        new(StatusCodes.Status404NotFound, "Image file gone", $"Image {image.Id} was indexed from a file that no longer exists.");
}
