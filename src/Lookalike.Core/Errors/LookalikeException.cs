namespace Lookalike.Errors;

/// <summary>
/// The one family of errors a user can cause: bad input, bad options, a collection that does not
/// match. The message names the input and what would be accepted; hosts show it as a one-line
/// error (CLI) or as RFC 7807 problem details (web).
/// </summary>
public class LookalikeException : Exception
{
    /// <summary>Creates the error with a message meant for the user.</summary>
    public LookalikeException(string message) : base(message) { }

    /// <summary>Creates the error with a message meant for the user and its cause.</summary>
    public LookalikeException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>An image that cannot be read or decoded; <see cref="Source"/> names the file or upload.</summary>
public sealed class ImageDecodeException : LookalikeException
{
    /// <summary>Creates the error for <paramref name="source"/> with the decoder's <paramref name="reason"/>.</summary>
    public ImageDecodeException(string source, string reason, Exception? inner = null)
        : base($"{source}: {reason}", inner ?? new InvalidDataException(reason))
    {
        Source = source;
        Reason = reason;
    }

    /// <summary>The file path or upload name of the image.</summary>
    public new string Source { get; }

    /// <summary>Why the image could not be used, e.g. "truncated image data".</summary>
    public string Reason { get; }
}

/// <summary>A collection opened with a model or dimension other than the one it was built with.</summary>
public sealed class CollectionMismatchException(string message) : LookalikeException(message);
