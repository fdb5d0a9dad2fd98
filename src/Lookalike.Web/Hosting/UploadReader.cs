using Microsoft.AspNetCore.Http;

namespace Lookalike.Web.Hosting;

/// <summary>An image received in a multipart form, with the form's other fields.</summary>
/// <param name="FileName">The client's file name (no directories), used only in messages.</param>
/// <param name="Bytes">The encoded image.</param>
/// <param name="Format">Format read from the header.</param>
/// <param name="Width">Width from the header (after EXIF orientation).</param>
/// <param name="Height">Height from the header (after EXIF orientation).</param>
/// <param name="Form">Every field of the form.</param>
internal sealed record Upload(string FileName, byte[] Bytes, string Format, int Width, int Height, IFormCollection Form);

/// <summary>Reads the image field of a multipart request within the size and pixel limits, before anything is decoded.</summary>
internal static class UploadReader
{
    public const string ImageField = "image";

    /// <summary>Multipart framing allowed on top of the file itself.</summary>
    public const long FormOverhead = 64 * 1024;

    public static async Task<Upload> ReadAsync(HttpRequest request, CollectionHost host, CancellationToken cancellationToken)
    {
        long limit = host.Options.MaxUploadBytes;
        if (!request.HasFormContentType)
        {
            throw new RequestProblemException(StatusCodes.Status415UnsupportedMediaType, "Multipart form expected",
                $"Send the image as multipart/form-data in the field '{ImageField}' (content type was '{request.ContentType ?? "none"}').");
        }
        if (request.ContentLength > limit + FormOverhead) throw TooLarge(request.ContentLength.Value, limit);
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(cancellationToken);
        }
        catch (InvalidDataException e)
        {
            throw e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase)
                ? TooLarge(null, limit)
                : new RequestProblemException(StatusCodes.Status400BadRequest, "Malformed form", e.Message);
        }
        var file = form.Files.GetFile(ImageField) ?? throw new RequestProblemException(StatusCodes.Status400BadRequest,
            "Image missing", $"The form has no file field '{ImageField}'.");
        string name = Path.GetFileName(file.FileName) is { Length: > 0 } n ? n : "upload";
        if (file.Length > limit) throw TooLarge(file.Length, limit);
        if (file.Length == 0)
            throw new RequestProblemException(StatusCodes.Status400BadRequest, "Image cannot be decoded", $"{name}: empty file (0 bytes)");
        byte[] bytes = new byte[file.Length];
        await using (var stream = file.OpenReadStream())
        {
            await stream.ReadExactlyAsync(bytes, cancellationToken);
        }
        var (format, width, height) = host.Loader.Probe(bytes, name);
        return new Upload(name, bytes, format, width, height, form);
    }

    private static RequestProblemException TooLarge(long? bytes, long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, "Upload too large",
            bytes is { } b
                ? $"The upload is {b:N0} bytes; the limit is {limit:N0} bytes."
                : $"The upload is larger than the limit of {limit:N0} bytes.");
}
