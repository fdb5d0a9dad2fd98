using Lookalike.Collections;
using Lookalike.Errors;
using Lookalike.IO;
using Lookalike.Onnx.Imaging;
using Microsoft.AspNetCore.Http;

namespace Lookalike.Web.Hosting;

/// <summary>
/// Reads a collection image's source file, and only while it is still the file that was indexed:
/// the path comes from the collection, never from a request; the size must match the record, and
/// when the modification time differs from the one recorded at indexing (or the path is now a
/// link) the content's SHA-256 must match too. Anything else is 410 Gone, so replacing an indexed
/// image by another file (or a link to one) never serves that file.
/// </summary>
internal static class ImageFileReader
{
    /// <summary>The types an original may be served as besides <c>image/jpeg</c> (what <see cref="ContentTypeOf"/> can answer).</summary>
    public static readonly string[] ServedTypes = ["image/png", "image/gif", "image/bmp", "image/webp", "application/octet-stream"];

    /// <summary>The MIME type of an encoded image, by its magic bytes (never by a file name).</summary>
    public static string ContentTypeOf(byte[] encoded)
    {
        try
        {
            return $"image/{ImageHeader.Read(encoded, "image").Format}";
        }
        catch (ImageDecodeException)
        {
            return "application/octet-stream";
        }
    }

    /// <summary>The bytes of <paramref name="image"/>'s file, checked against what was indexed.</summary>
    /// <exception cref="RequestProblemException">404 when the file is gone, 410 when it changed.</exception>
    public static async Task<byte[]> ReadAsync(ImageCollection collection, ImageRecord image, CancellationToken cancellationToken)
    {
        var kind = FileKinds.Of(image.Path);
        if (kind == FileKind.Missing) throw Gone(image);
        if (kind is not (FileKind.Regular or FileKind.SymbolicLink or FileKind.Unknown)) throw Changed(image, "it is no longer a regular file");
        var info = new FileInfo(image.Path);
        if (info.Length != image.Bytes) throw Changed(image, "its size differs from the indexed file");
        byte[] bytes;
        try
        {
            // Never more than the indexed size: a file that grows while it is read fails the check.
            bytes = await BoundedFileReader.ReadAsync(image.Path, image.Bytes, BoundedFileReader.DefaultTimeout, cancellationToken);
        }
        catch (UnreadableFileException e) when (!File.Exists(image.Path))
        {
            throw new RequestProblemException(StatusCodes.Status404NotFound, "Image file gone", e.Reason);
        }
        catch (UnreadableFileException e)
        {
            throw Changed(image, e.Reason);
        }
        if (bytes.Length != image.Bytes) throw Changed(image, "its size differs from the indexed file");
        var state = await collection.GetFileStateAsync(image.Path, cancellationToken);
        bool unchanged = kind == FileKind.Regular && state is not null && state.Sha256 == image.Sha256
            && state.LastWriteTicks == info.LastWriteTimeUtc.Ticks;
        if (!unchanged && FileHash.Sha256Of(bytes) != image.Sha256) throw Changed(image, "its content differs from the indexed file");
        return bytes;
    }

    private static RequestProblemException Gone(ImageRecord image) =>
        new(StatusCodes.Status404NotFound, "Image file gone", $"Image {image.Id} was indexed from a file that no longer exists.");

    private static RequestProblemException Changed(ImageRecord image, string why) =>
        new(StatusCodes.Status410Gone, "Image file changed", $"Image {image.Id} is not served: {why} since it was indexed.");
}
