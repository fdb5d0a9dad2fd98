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
        : this(source, reason, ImageProblem.Corrupt, inner)
    {
    }

    /// <summary>Creates the error for <paramref name="source"/> with the decoder's <paramref name="reason"/> and its kind.</summary>
    public ImageDecodeException(string source, string reason, ImageProblem problem, Exception? inner = null)
        : base($"{source}: {reason}", inner ?? new InvalidDataException(reason))
    {
        Source = source;
        Reason = reason;
        Problem = problem;
    }

    /// <summary>What kind of problem it is (hosts map it to a status code).</summary>
    public ImageProblem Problem { get; }

    /// <summary>The file path or upload name of the image.</summary>
    public new string Source { get; }

    /// <summary>Why the image could not be used, e.g. "truncated image data".</summary>
    public string Reason { get; }
}

/// <summary>Why an image could not be used.</summary>
public enum ImageProblem
{
    /// <summary>The file or upload has no bytes.</summary>
    Empty,

    /// <summary>Not an image format the decoder knows.</summary>
    Unsupported,

    /// <summary>The data ends early.</summary>
    Truncated,

    /// <summary>The data is damaged.</summary>
    Corrupt,

    /// <summary>The dimensions are beyond the pixel limit.</summary>
    TooLarge,

    /// <summary>A side is zero, or one side is absurdly longer than the other.</summary>
    AbsurdDimensions,

    /// <summary>The image made the (isolated) native decoder crash.</summary>
    CrashedDecoder,

    /// <summary>Decoding took longer than allowed and was stopped.</summary>
    TimedOut,
}

/// <summary>A collection another process is writing (one writer at a time).</summary>
public sealed class CollectionBusyException(string message, Exception inner) : LookalikeException(message, inner);

/// <summary>A collection opened with a model or dimension other than the one it was built with.</summary>
public sealed class CollectionMismatchException(string message) : LookalikeException(message);

/// <summary>An image id the collection does not hold (never was, or was deleted).</summary>
public sealed class ImageNotFoundException(long id) : LookalikeException($"The collection has no image with id {id}.")
{
    /// <summary>The id asked for.</summary>
    public long Id { get; } = id;
}

/// <summary>
/// Storage that cannot be written or read: a full disk, a read-only file system, missing
/// permissions. The message names the place and the system's reason.
/// </summary>
public sealed class StorageException : LookalikeException
{
    private const int NoSpace = 28;       // ENOSPC
    private const int QuotaExceeded = 122; // EDQUOT
    private const int SqlitePermission = 3, SqliteReadOnly = 8, SqliteIoError = 10, SqliteFull = 13, SqliteCannotOpen = 14;

    /// <summary>Creates the error for <paramref name="what"/> (e.g. "Cannot save collection 'X'") caused by <paramref name="inner"/>.</summary>
    public StorageException(string what, Exception inner)
        : base($"{what}: {ReasonOf(inner)}", inner)
    {
        IsFull = IsDiskFull(inner);
    }

    /// <summary>Whether the disk (or the user's quota) is full.</summary>
    public bool IsFull { get; }

    /// <summary>Whether <paramref name="e"/> reports a full disk or quota.</summary>
    public static bool IsDiskFull(Exception e) =>
        e is IOException && (e.HResult & 0xFFFF) is NoSpace or QuotaExceeded
        || e.Message.Contains("No space left on device", StringComparison.OrdinalIgnoreCase)
        || e.Message.Contains("Disk quota exceeded", StringComparison.OrdinalIgnoreCase)
        || e is Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: SqliteFull };

    /// <summary>Whether <paramref name="e"/> is a failure of the storage itself (I/O or permissions).</summary>
    public static bool IsStorageFailure(Exception e) => e is IOException or UnauthorizedAccessException
        or Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: SqliteFull or SqliteIoError or SqliteReadOnly or SqliteCannotOpen or SqlitePermission };

    private static string ReasonOf(Exception e) => e switch
    {
        UnauthorizedAccessException => $"permission denied ({e.Message})",
        _ when IsDiskFull(e) => "the disk is full",
        _ => e.Message,
    };
}

/// <summary>A part of the system that should answer does not, for now (a shard whose machine died); trying again later may work.</summary>
public class UnavailableException(string message, Exception inner) : LookalikeException(message, inner);
