using System.Text.Json;
using Lookalike.Errors;
using Lookalike.Indexes;
using Lookalike.IO;

namespace Lookalike.Collections;

/// <summary>
/// The default collection: a folder holding <c>manifest.json</c> (model, metric, saved indexes),
/// <c>vectors.f32</c> (append-only float32 rows, row i = image id i, read through a memory map),
/// <c>metadata.db</c> (SQLite: images, deletions, file states, the committed row count),
/// <c>indexes/*.lkidx</c> and a lock file.
/// </summary>
/// <remarks>
/// One process may open a folder for writing at a time (a lock file enforces it); any number may
/// read. Within a process, searches and reads may run concurrently with each other; mutations are
/// serialised. A commit appends vectors and flushes them, then writes what changed and the new row
/// count in one SQLite transaction (the commit point): a crash at any point leaves the previous commit
/// readable, and rows past the committed count are cut off when the folder is next opened for writing.
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
    private readonly MappedVectors _vectors;
    private readonly SqliteMetadata _store;
    private readonly IndexRegistry _registry;
    private readonly LoadedIndexes _indexes;
    private EmbeddedManifest _manifest;
    private bool _dirty;

    // What changed since the last commit, so that a failed commit can be undone in memory: an id
    // is confirmed to a caller only once it is durable.
    private readonly HashSet<long> _deletedSinceCommit = [];
    private readonly Dictionary<string, FileState?> _filesBeforeCommit = new(StringComparer.Ordinal);

    // For a read-only instance: the manifest file as last seen, to notice another process's commits.
    private (DateTime Written, long Length) _manifestSeen;

    private EmbeddedCollection(string folder, FileStream? lockStream, EmbeddedManifest manifest, EmbeddedMetadata metadata,
        IndexRegistry registry, SqliteMetadata store)
    {
        _store = store;
        _folder = folder;
        _lock = lockStream;
        _manifest = manifest;
        _registry = registry;
        _indexes = new LoadedIndexes(registry, manifest.Model.Dimension, _gate);
        _vectors = new MappedVectors(Path.Combine(folder, EmbeddedFormat.VectorsFile), manifest.Model.Dimension);
        TakeCommittedState(manifest, metadata);
        _vectors.Map(manifest.Rows);
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
    /// <param name="folder">The collection's folder.</param>
    /// <param name="model">The model whose features it holds.</param>
    /// <param name="metric">Default metric of a new collection.</param>
    /// <param name="indexSpec">Default index of a new collection.</param>
    /// <param name="registry">The index types its specs may name (the library's own when null).</param>
    /// <exception cref="CollectionMismatchException">when it was built with another model.</exception>
    public static EmbeddedCollection OpenOrCreate(string folder, ModelReference model, DistanceMetric metric, string indexSpec,
        IndexRegistry? registry = null)
    {
        string full = Path.GetFullPath(folder);
        registry ??= IndexRegistry.Builtin;
        registry.Validate(model.Dimension, indexSpec, metric);
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
                var existing = Load(full, lockStream, writable: true, registry);
                existing.EnsureModel(model);
                return existing;
            }
            var now = DateTimeOffset.UtcNow;
            var manifest = new EmbeddedManifest(EmbeddedFormat.Version, model, metric.Name(), indexSpec, 0, 0, null, now, now);
            // The metadata database first, the manifest (which makes the folder a collection) last.
            var metadata = CreateMetadata(full);
            var collection = new EmbeddedCollection(full, lockStream, manifest, new EmbeddedMetadata([], [], []), registry, metadata);
            collection.WriteManifest(manifest);
            return collection;
        }
        catch
        {
            lockStream.Dispose();
            throw;
        }
    }

    /// <summary>Opens an existing collection for writing (maintenance: reindexing, imports).</summary>
    /// <exception cref="LookalikeException">when the folder holds no collection or another process writes it.</exception>
    public static EmbeddedCollection OpenForWriting(string folder, IndexRegistry? registry = null)
    {
        string full = Path.GetFullPath(folder);
        if (!Exists(full))
            throw NotACollection(full);
        var lockStream = AcquireWriteLock(full);
        try
        {
            return Load(full, lockStream, writable: true, registry ?? IndexRegistry.Builtin);
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
    public static EmbeddedCollection OpenReadOnly(string folder, IndexRegistry? registry = null) =>
        Load(Path.GetFullPath(folder), null, writable: false, registry ?? IndexRegistry.Builtin);

    /// <inheritdoc/>
    public override ModelReference Model => Read(() => _manifest.Model);

    /// <inheritdoc/>
    public override string Location => _folder;

    /// <inheritdoc/>
    public override CollectionInfo Info
    {
        get
        {
            _gate.EnterReadLock();
            try
            {
                return new CollectionInfo(_folder, _images.Count - _deleted.Count, _manifest.Model,
                    DistanceMetrics.Parse(_manifest.Metric), _manifest.Index, SizeOnDisk(), _manifest.Indexes ?? []);
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
            throw new CollectionBusyException($"Collection '{folder}' is being written by another process; wait for it to finish.", e);
        }
        catch (Exception e) when (StorageException.IsStorageFailure(e))
        {
            throw new StorageException($"Cannot open collection '{folder}' for writing ({EmbeddedFormat.LockFile})", e);
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
        _indexes.Dispose();
        _vectors.Dispose();
        _store.Dispose();
        _lock?.Dispose();
        _gate.Dispose();
    }
}
