using Lookalike.Errors;
using Lookalike.IO;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace Lookalike.Web.Hosting;

/// <summary>Turns every exception into RFC 7807 problem details with the right status; the server keeps running.</summary>
internal sealed partial class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail) = Describe(exception);
        if (status >= 500) LogUnexpected(logger, exception, httpContext.Request.Path);
        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }

    /// <summary>Status, title and detail for an exception.</summary>
    internal static (int Status, string Title, string Detail) Describe(Exception exception) => exception switch
    {
        RequestProblemException e => (e.Status, e.Title, e.Message),
        ImageDecodeException { Problem: ImageProblem.Unsupported } e =>
            (StatusCodes.Status415UnsupportedMediaType, "Not a supported image", e.Message),
        ImageDecodeException { Problem: ImageProblem.CrashedDecoder or ImageProblem.TimedOut } e =>
            (StatusCodes.Status422UnprocessableEntity, "Image could not be processed", e.Message),
        ImageDecodeException { Problem: ImageProblem.TooLarge } e =>
            (StatusCodes.Status413PayloadTooLarge, "Image too large", e.Message),
        ImageDecodeException e => (StatusCodes.Status400BadRequest, "Image cannot be decoded", e.Message),
        ImageNotFoundException e => (StatusCodes.Status404NotFound, "No such image", e.Message),
        CollectionMismatchException e => (StatusCodes.Status500InternalServerError, "Server misconfigured", e.Message),
        StorageException { IsFull: true } e => (StatusCodes.Status507InsufficientStorage, "Storage full", e.Message),
        StorageException e => (StatusCodes.Status503ServiceUnavailable, "Storage unavailable", e.Message),
        UnreadableFileException e => (StatusCodes.Status503ServiceUnavailable, "Storage unavailable", e.Message),
        UnavailableException e => (StatusCodes.Status503ServiceUnavailable, "Search unavailable", e.Message),
        _ when StorageException.IsDiskFull(exception) =>
            (StatusCodes.Status507InsufficientStorage, "Storage full", "The server's disk is full; nothing was stored."),
        LookalikeException e => (StatusCodes.Status400BadRequest, "Bad request", e.Message),
        BadHttpRequestException e => (e.StatusCode, e.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Upload too large" : "Bad request",
            e.Message),
        _ => (StatusCodes.Status500InternalServerError, "Unexpected error", "The server could not handle this request; it has been logged."),
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error on {Path}")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string path);
}
