using Lookalike.Errors;

namespace Lookalike.IO;

/// <summary>A file that was not read: not a regular file, too large, too slow, or an I/O error.</summary>
/// <param name="path">The file.</param>
/// <param name="reason">Why, for the user.</param>
public sealed class UnreadableFileException(string path, string reason)
    : LookalikeException($"{path}: {reason}")
{
    /// <summary>The file.</summary>
    public string Path { get; } = path;

    /// <summary>Why it was not read.</summary>
    public string Reason { get; } = reason;
}

/// <summary>
/// Reads whole files with a size cap and a time limit, and only regular files (after following
/// links): a FIFO, a device or a socket named like an image is refused before it is opened, so no
/// read can hang or run out of memory.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class BoundedFileReader
{
    /// <summary>The largest image file read by default (128 MiB).</summary>
    public const long DefaultMaxBytes = 128L * 1024 * 1024;

    /// <summary>How long one file may take to read by default.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The bytes of <paramref name="path"/>.</summary>
    /// <exception cref="UnreadableFileException">when it is not a regular file, is larger than <paramref name="maxBytes"/>,
    /// takes longer than <paramref name="timeout"/>, or cannot be read.</exception>
    public static async Task<byte[]> ReadAsync(string path, long maxBytes, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var kind = FileKinds.Of(path, followLinks: true);
        if (kind == FileKind.Missing) throw new UnreadableFileException(path, "the file no longer exists");
        if (kind is not (FileKind.Regular or FileKind.Unknown))
            throw new UnreadableFileException(path, $"{FileKinds.Describe(kind)}, not a regular file");
        // Opening and reading run on a worker so that the time limit holds even for a call that blocks.
        var read = Task.Run(() => ReadCapped(path, maxBytes, cancellationToken), cancellationToken);
        try
        {
            return await read.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new UnreadableFileException(path, $"reading took longer than {timeout.TotalSeconds:0.#} s");
        }
        catch (Exception e) when (Errors.StorageException.IsStorageFailure(e))
        {
            throw new UnreadableFileException(path, $"cannot read file: {e.Message}");
        }
    }

    /// <summary>Reads <paramref name="path"/> with the default cap and time limit.</summary>
    public static Task<byte[]> ReadAsync(string path, CancellationToken cancellationToken = default) =>
        ReadAsync(path, DefaultMaxBytes, DefaultTimeout, cancellationToken);

    private static byte[] ReadCapped(string path, long maxBytes, CancellationToken cancellationToken)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
        // The length is only a hint (a file may grow while it is read); the cap is enforced on what is read.
        long hint = stream.CanSeek ? stream.Length : 0;
        if (hint > maxBytes) throw TooLarge(path, maxBytes);
        using var buffer = new MemoryStream((int)Math.Max(0, Math.Min(hint, maxBytes)));
        var chunk = new byte[1 << 16];
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int n = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, maxBytes + 1 - buffer.Length));
            if (n == 0) break;
            buffer.Write(chunk, 0, n);
            if (buffer.Length > maxBytes) throw TooLarge(path, maxBytes);
        }
        return buffer.Length == buffer.Capacity ? buffer.GetBuffer() : buffer.ToArray();
    }

    private static UnreadableFileException TooLarge(string path, long maxBytes) =>
        new(path, $"larger than the limit of {maxBytes:N0} bytes");
}
