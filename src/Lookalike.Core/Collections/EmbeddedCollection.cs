using System.Text.Json;
using Lookalike.Errors;
using Lookalike.Indexes;
using Lookalike.IO;

namespace Lookalike.Collections;

/// <summary>
/// The default collection: a folder holding <c>manifest.json</c>, <c>vectors.f32</c> (append-only
/// float32 rows, row i = image id i), a metadata generation file and a lock file.
/// </summary>
/// <remarks>
/// One process may open a folder for writing at a time (a lock file enforces it); any number may
/// read. Within a process, searches and reads may run concurrently with each other; mutations are
/// serialised. A commit appends vectors and flushes them, writes a new metadata generation, then
/// atomically replaces the manifest: a crash at any point leaves the previous commit readable.
/// </remarks>
public sealed partial class EmbeddedCollection : ImageCollection
{
    private readonly string _folder;
    private readonly FileStream? _lock;
    private readonly ReaderWriterLockSlim _gate = new(LockRecursionPolicy.NoRecursion);
    private readonly List<ImageRecord> _images = [];
    private readonly HashSet<long> _deleted = [];
    private readonly Dictionary<string, long> _idOfHash = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FileState> _files = new(StringComparer.Ordinal);
    private readonly List<float[]> _pendingVectors = [];
    private readonly Dictionary<(DistanceMetric, string), IVectorIndex> _indexes = [];
    private EmbeddedManifest _manifest;
    private bool _dirty;

    // What changed since the last commit, so that a failed commit can be undone in memory: an id
    // is confirmed to a caller only once it is durable.
    private readonly HashSet<long> _deletedSinceCommit = [];
    private readonly Dictionary<string, FileState?> _filesBeforeCommit = new(StringComparer.Ordinal);

    // For a read-only instance: the manifest file as last seen, to notice another process's commits.
    private (DateTime Written, long Length) _manifestSeen;

    private EmbeddedCollection(string folder, FileStream? lockStream, EmbeddedManifest manifest, EmbeddedMetadata metadata)
    {
        _folder = folder;
        _lock = lockStream;
        _manifest = manifest;
        TakeCommittedState(manifest, metadata);
    }

    /// <summary>Records, deletions, file states and the hash look-up of one commit (rows past the manifest's count are ignored).</summary>
    private void TakeCommittedState(EmbeddedManifest manifest, EmbeddedMetadata metadata)
    {
        _images.Clear();
        _images.AddRange(metadata.Images.Take((int)manifest.Rows));
        _deleted.Clear();
        _deleted.UnionWith(metadata.Deleted.Where(id => id < manifest.Rows));
        _files.Clear();
        foreach (var (path, state) in metadata.Files) _files[path] = state;
        _idOfHash.Clear();
        foreach (var image in _images)
        {
            if (!_deleted.Contains(image.Id)) _idOfHash[image.Sha256] = image.Id;
        }
    }

    /// <summary>The folder this collection lives in.</summary>
    public string Folder => _folder;

    /// <summary>Whether <paramref name="folder"/> holds a collection.</summary>
    public static bool Exists(string folder) => File.Exists(Path.Combine(folder, EmbeddedFormat.ManifestFile));

    /// <summary>
    /// Opens the collection in <paramref name="folder"/> for writing, creating it when absent.
    /// </summary>
    /// <exception cref="CollectionMismatchException">when it was built with another model.</exception>
    public static EmbeddedCollection OpenOrCreate(string folder, ModelReference model, DistanceMetric metric, string indexSpec)
    {
        string full = Path.GetFullPath(folder);
        IndexFactory.Create(model.Dimension, indexSpec, metric).Dispose();
        try
        {
            Directory.CreateDirectory(full);
        }
        catch (Exception e) when (StorageException.IsStorageFailure(e))
        {
            throw new StorageException($"Cannot create collection folder '{full}'", e);
        }
        var lockStream = AcquireWriteLock(full);
        try
        {
            if (Exists(full))
            {
                var existing = Load(full, lockStream, writable: true);
                existing.EnsureModel(model);
                return existing;
            }
            var now = DateTimeOffset.UtcNow;
            var manifest = new EmbeddedManifest(EmbeddedFormat.Version, model, metric.Name(), indexSpec, 0, 0,
                EmbeddedFormat.MetadataFileName(0), now, now);
            var collection = new EmbeddedCollection(full, lockStream, manifest, new EmbeddedMetadata([], [], []));
            collection._dirty = true;
            collection.CommitCore();
            return collection;
        }
        catch
        {
            lockStream.Dispose();
            throw;
        }
    }

    /// <summary>The model recorded in the collection at <paramref name="folder"/>, or null when there is none.</summary>
    public static ModelReference? ReadModel(string folder)
    {
        if (!Exists(folder)) return null;
        try
        {
            return JsonSerializer.Deserialize<EmbeddedManifest>(File.ReadAllBytes(Path.Combine(folder, EmbeddedFormat.ManifestFile)),
                EmbeddedFormat.Json)?.Model;
        }
        catch (JsonException e)
        {
            throw new LookalikeException($"Collection '{folder}' is damaged: {e.Message}", e);
        }
    }

    /// <summary>Opens an existing collection read-only (searches, listing).</summary>
    /// <exception cref="LookalikeException">when the folder holds no collection.</exception>
    public static EmbeddedCollection OpenReadOnly(string folder) => Load(Path.GetFullPath(folder), null, writable: false);

    /// <summary>Throws unless features of <paramref name="model"/> may be mixed with this collection's.</summary>
    public void EnsureModel(ModelReference model)
    {
        var own = _manifest.Model;
        if (!string.Equals(own.Sha256, model.Sha256, StringComparison.OrdinalIgnoreCase) || own.Dimension != model.Dimension)
        {
            throw new CollectionMismatchException(
                $"Collection '{_folder}' was built with model {own.Id} (sha256 {own.Sha256[..12]}…, {own.Dimension}-d); " +
                $"the model given is {model.Id} (sha256 {model.Sha256[..12]}…, {model.Dimension}-d). " +
                "Use the same model, or index into a new --collection folder.");
        }
    }

    /// <inheritdoc/>
    public override CollectionInfo Info
    {
        get
        {
            _gate.EnterReadLock();
            try
            {
                return new CollectionInfo(_folder, _images.Count - _deleted.Count, _manifest.Model,
                    DistanceMetrics.Parse(_manifest.Metric), _manifest.Index, SizeOnDisk());
            }
            finally
            {
                _gate.ExitReadLock();
            }
        }
    }

    /// <inheritdoc/>
    public override long Count
    {
        get
        {
            _gate.EnterReadLock();
            try
            {
                return _images.Count - _deleted.Count;
            }
            finally
            {
                _gate.ExitReadLock();
            }
        }
    }

    private long SizeOnDisk() =>
        new DirectoryInfo(_folder).EnumerateFiles("*", SearchOption.AllDirectories).Sum(LengthOrZero);

    /// <summary>A concurrent commit may delete an old metadata generation while it is being listed.</summary>
    private static long LengthOrZero(FileInfo file)
    {
        try
        {
            return file.Length;
        }
        catch (FileNotFoundException)
        {
            return 0;
        }
    }

    private static FileStream AcquireWriteLock(string folder)
    {
        try
        {
            return new FileStream(Path.Combine(folder, EmbeddedFormat.LockFile), FileMode.OpenOrCreate, FileAccess.ReadWrite,
                FileShare.None);
        }
        catch (IOException e) when (e.Message.Contains("used by another process", StringComparison.OrdinalIgnoreCase))
        {
            throw new LookalikeException($"Collection '{folder}' is being written by another process; wait for it to finish.", e);
        }
        catch (Exception e) when (StorageException.IsStorageFailure(e))
        {
            throw new StorageException($"Cannot open collection '{folder}' for writing ({EmbeddedFormat.LockFile})", e);
        }
    }

    /// <summary>
    /// The manifest and the metadata generation it names. A writer in another process may commit
    /// (and delete the old generation) between the two reads; then the manifest is read again.
    /// </summary>
    private static (EmbeddedManifest, EmbeddedMetadata) ReadCommitted(string folder, string manifestPath)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                var manifest = JsonSerializer.Deserialize<EmbeddedManifest>(File.ReadAllBytes(manifestPath), EmbeddedFormat.Json)
                    ?? throw new JsonException("empty manifest");
                if (manifest.FormatVersion != EmbeddedFormat.Version)
                    throw new LookalikeException($"Collection '{folder}' has format version {manifest.FormatVersion}; this build reads version {EmbeddedFormat.Version}.");
                var metadata = JsonSerializer.Deserialize<EmbeddedMetadata>(File.ReadAllBytes(Path.Combine(folder, manifest.MetadataFile)),
                    EmbeddedFormat.Json) ?? throw new JsonException("empty metadata");
                return (manifest, metadata);
            }
            catch (FileNotFoundException) when (attempt < 5)
            {
                Thread.Sleep(20 * attempt);
            }
            catch (Exception e) when (e is JsonException or IOException)
            {
                throw new LookalikeException($"Collection '{folder}' is damaged: {e.Message}", e);
            }
        }
    }

    private static EmbeddedCollection Load(string folder, FileStream? lockStream, bool writable)
    {
        string manifestPath = Path.Combine(folder, EmbeddedFormat.ManifestFile);
        if (!File.Exists(manifestPath))
            throw new LookalikeException($"'{folder}' is not a Lookalike collection (no {EmbeddedFormat.ManifestFile}); run 'lookalike index <folder> --collection {folder}' first.");
        var (manifest, metadata) = ReadCommitted(folder, manifestPath);
        long vectorBytes = manifest.Rows * manifest.Model.Dimension * sizeof(float);
        var vectors = new FileInfo(Path.Combine(folder, EmbeddedFormat.VectorsFile));
        long actual = vectors.Exists ? vectors.Length : 0;
        if (actual < vectorBytes || metadata.Images.Count < manifest.Rows)
            throw new LookalikeException($"Collection '{folder}' is damaged: the manifest names {manifest.Rows} rows but fewer are stored.");
        if (writable)
        {
            try
            {
                // Rows past the manifest's count belong to a commit that never finished.
                if (actual > vectorBytes)
                {
                    using var stream = new FileStream(vectors.FullName, FileMode.Open, FileAccess.Write);
                    stream.SetLength(vectorBytes);
                }
                AtomicFile.CleanTemporaries(folder);
                RemoveOldGenerations(folder, manifest.MetadataFile);
            }
            catch (Exception e) when (StorageException.IsStorageFailure(e))
            {
                throw new StorageException($"Cannot open collection '{folder}' for writing", e);
            }
        }
        var collection = new EmbeddedCollection(folder, lockStream, manifest, metadata);
        collection._manifestSeen = ManifestStamp(manifestPath);
        return collection;
    }

    /// <summary>Metadata generations a crash left behind: only the one the manifest names is ever read.</summary>
    private static void RemoveOldGenerations(string folder, string current)
    {
        foreach (string file in Directory.EnumerateFiles(folder, "metadata-*.json"))
        {
            if (!string.Equals(Path.GetFileName(file), current, StringComparison.Ordinal)) File.Delete(file);
        }
    }

    private static (DateTime, long) ManifestStamp(string manifestPath)
    {
        var info = new FileInfo(manifestPath);
        return info.Exists ? (info.LastWriteTimeUtc, info.Length) : default;
    }

    /// <inheritdoc/>
    public override async ValueTask DisposeAsync()
    {
        await Task.CompletedTask;
        foreach (var index in _indexes.Values) index.Dispose();
        _indexes.Clear();
        _lock?.Dispose();
        _gate.Dispose();
    }
}
