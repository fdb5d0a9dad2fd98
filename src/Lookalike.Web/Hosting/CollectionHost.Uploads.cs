using Lookalike.Collections;
using Lookalike.Errors;
using Lookalike.Features;
using Lookalike.Indexing;
using Lookalike.IO;

namespace Lookalike.Web.Hosting;

/// <summary>Adding uploads to the collection (only when the server allows it).</summary>
internal sealed partial class CollectionHost
{
    /// <summary>Where accepted uploads are stored.</summary>
    public string UploadsFolder => Options.UploadsFolder is { Length: > 0 } chosen
        ? Path.GetFullPath(chosen)
        : CollectionLocations.IsFolder(Options.Collection!)
            ? Path.Combine(Path.GetFullPath(Options.Collection!), "uploads")
            : CollectionLocations.LocalFolder(Options.Collection!, Onnx.Models.ModelLocator.DataDirectory, "uploads");

    /// <summary>Where <c>lookalike index</c> writes its progress for this collection (beside its decoding journal).</summary>
    public string StatusFolder =>
        CollectionLocations.LocalFolder(CollectionLocations.Normalize(Options.Collection!), Onnx.Models.ModelLocator.DataDirectory, "journals");

    /// <summary>
    /// Stores an upload content-addressed in <see cref="UploadsFolder"/>, adds it and commits. One
    /// upload is added at a time, so an id is answered only once it is durable; when the commit fails
    /// (a full disk) the file written for it is removed again and the collection is as before.
    /// </summary>
    /// <returns>The image's id, whether it was new, and where its file is.</returns>
    public async Task<(long Id, bool Added, string Path)> AddUploadAsync(Upload upload, string? label, CancellationToken cancellationToken)
    {
        string sha256 = FileHash.Sha256Of(upload.Bytes);
        await _uploads.WaitAsync(cancellationToken);
        try
        {
            if (await Collection.FindByHashAsync(sha256, cancellationToken) is { } existing) return (existing.Id, false, existing.Path);
            var extracted = await ExtractAsync(new ImageInput(upload.FileName, upload.Bytes), cancellationToken);
            string path = Path.Combine(UploadsFolder, $"{sha256}.{ExtensionOf(upload.Format)}");
            bool existed = File.Exists(path);
            try
            {
                AtomicFile.Write(path, s => s.Write(upload.Bytes));
                var written = new FileInfo(path);
                var (id, added) = await Collection.StoreAsync(path, new FileState(written.Length, written.LastWriteTimeUtc.Ticks, sha256), label,
                    extracted, CancellationToken.None);
                await Collection.CommitAsync(CancellationToken.None);
                return (id, added, path);
            }
            catch (Exception e) when (StorageException.IsStorageFailure(e) || e is StorageException)
            {
                if (!existed) AtomicFile.TryDelete(path);
                throw e as StorageException ?? new StorageException($"Cannot store the upload in '{UploadsFolder}'", e);
            }
        }
        finally
        {
            _uploads.Release();
        }
    }

    /// <summary>
    /// Removes image <paramref name="id"/> from the collection and commits (one change at a time, as uploads). The file it was
    /// indexed from stays where it is, unless it is an upload this server stored (then it goes too).
    /// </summary>
    /// <returns>The removed image, or null when there was no live image <paramref name="id"/>.</returns>
    public async Task<ImageRecord?> DeleteImageAsync(long id, CancellationToken cancellationToken)
    {
        await _uploads.WaitAsync(cancellationToken);
        try
        {
            if (await Collection.GetAsync(id, cancellationToken) is not { } image) return null;
            await Collection.DeleteAsync([id], CancellationToken.None);
            await Collection.CommitAsync(CancellationToken.None);
            if (Path.GetDirectoryName(image.Path) == UploadsFolder && UploadFileName().IsMatch(Path.GetFileName(image.Path))) AtomicFile.TryDelete(image.Path);
            return image;
        }
        finally
        {
            _uploads.Release();
        }
    }

    /// <summary>Upload files no image refers to (left by a crash between writing the file and the commit).</summary>
    private void RemoveOrphanUploads()
    {
        string folder = UploadsFolder;
        if (!Directory.Exists(folder)) return;
        var referenced = Collection.ListAsync().ToBlockingEnumerable().Select(i => i.Path).ToHashSet(StringComparer.Ordinal);
        foreach (string file in Directory.EnumerateFiles(folder))
        {
            // Only files named as uploads are named: content hash and a format's extension.
            if (UploadFileName().IsMatch(Path.GetFileName(file)) && !referenced.Contains(file)) AtomicFile.TryDelete(file);
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[0-9a-f]{64}\\.(jpg|png|gif|bmp|webp)$")]
    private static partial System.Text.RegularExpressions.Regex UploadFileName();

    private static string ExtensionOf(string format) => format == "jpeg" ? "jpg" : format;
}
