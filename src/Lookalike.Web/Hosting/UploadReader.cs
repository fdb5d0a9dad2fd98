using Lookalike.IO;
using Lookalike.Onnx.Imaging;
using Microsoft.AspNetCore.Http;

namespace Lookalike.Web.Hosting;

/// <summary>An image received in a multipart form, with the form's other fields.</summary>
/// <param name="FileName">The client's file name (no directories), used only in messages.</param>
/// <param name="Bytes">The encoded image.</param>
/// <param name="Format">Format read from the header.</param>
/// <param name="Form">Every field of the form.</param>
internal sealed record Upload(string FileName, byte[] Bytes, string Format, IFormCollection Form);

/// <summary>Reads the image field of a multipart request within the size and pixel limits, before anything is decoded.</summary>
internal static class UploadReader
{
    public const string ImageField = "image";

    /// <summary>Multipart framing allowed on top of the file itself.</summary>
    public const long FormOverhead = 64 * 1024;

    /// <summary>Form fields accepted in one request (the image, k, metric, index, label and a few spare).</summary>
    public const int MaxFields = 16;

    /// <summary>Longest value of a text field, in characters.</summary>
    public const int MaxFieldLength = 1024;

    /// <summary>Longest label an upload may carry, in characters.</summary>
    public const int MaxLabelLength = 256;

    /// <summary>Longest header block of one multipart section, in bytes.</summary>
    public const int MaxPartHeaderBytes = 4096;

    /// <summary>The upload's optional <c>label</c> field: one value of at most <see cref="MaxLabelLength"/> characters, on one line.</summary>
    /// <exception cref="RequestProblemException">400 when there are several labels, or one too long or with control characters.</exception>
    public static string? LabelOf(IFormCollection form)
    {
        var given = form["label"];
        if (given.Count > 1) throw new RequestProblemException(StatusCodes.Status400BadRequest, "Too many labels", "An image takes one label.");
        string? label = given.Count == 1 ? given[0]?.Trim() : null;
        if (string.IsNullOrEmpty(label)) return null;
        if (label.Length > MaxLabelLength)
        {
            throw new RequestProblemException(StatusCodes.Status400BadRequest, "Label too long",
                $"A label may be at most {MaxLabelLength} characters (was {label.Length:N0}).");
        }
        if (label.Any(char.IsControl))
        {
            throw new RequestProblemException(StatusCodes.Status400BadRequest, "Bad label",
                $"A label may not contain line breaks or other control characters (was '{LineText.Short(label)}').");
        }
        return label;
    }

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
            throw LimitExceeded(e.Message, limit);
        }
        catch (IOException e) when (!cancellationToken.IsCancellationRequested)
        {
            // A body that ends before the closing boundary, or framing the parser cannot follow.
            throw new RequestProblemException(StatusCodes.Status400BadRequest, "Malformed form",
                $"The multipart body could not be read: {LineText.Short(e.Message, 120)}");
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
        // Managed code only: the native decoder sees the bytes in a worker process, after this check.
        var header = ImageHeader.Read(bytes, name);
        host.LoaderOptions.EnsureWithinLimits(header.Width, header.Height, name);
        return new Upload(name, bytes, header.Format, form);
    }

    /// <summary>The problem for one of the form parser's limits, named by its message.</summary>
    private static RequestProblemException LimitExceeded(string message, long limit)
    {
        static RequestProblemException Bad(string title, string detail) => new(StatusCodes.Status400BadRequest, title, detail);
        if (message.Contains("body length", StringComparison.OrdinalIgnoreCase)) return TooLarge(null, limit);
        if (message.Contains("value count", StringComparison.OrdinalIgnoreCase))
            return Bad("Too many form fields", $"A request may have at most {MaxFields} form fields.");
        if (message.Contains("headers", StringComparison.OrdinalIgnoreCase) || message.Contains("line length", StringComparison.OrdinalIgnoreCase))
            return Bad("Form part headers too long", $"The headers of one form part may be at most {MaxPartHeaderBytes:N0} bytes.");
        if (message.Contains("length limit", StringComparison.OrdinalIgnoreCase))
            return Bad("Form field too long", $"A form field's name or value may be at most {MaxFieldLength:N0} characters.");
        return Bad("Malformed form", LineText.Short(message, 120));
    }

    private static RequestProblemException TooLarge(long? bytes, long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, "Upload too large",
            bytes is { } b
                ? $"The upload is {b:N0} bytes; the limit is {limit:N0} bytes."
                : $"The upload is larger than the limit of {limit:N0} bytes.");
}
