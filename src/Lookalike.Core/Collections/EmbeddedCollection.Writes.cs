using System.Runtime.InteropServices;
using System.Text.Json;
using Lookalike.Errors;
using Lookalike.IO;

namespace Lookalike.Collections;

public sealed partial class EmbeddedCollection
{
    /// <inheritdoc/>
    public override ValueTask<(long Id, bool Added)> AddAsync(NewImage image, CancellationToken cancellationToken = default)
    {
        EnsureWritable();
        int dimension = _manifest.Model.Dimension;
        if (image.Features.Length != dimension)
            throw new LookalikeException($"Image '{image.Path}' has {image.Features.Length}-d features; this collection holds {dimension}-d vectors.");
        _gate.EnterWriteLock();
        try
        {
            if (_idOfHash.TryGetValue(image.Sha256, out long existing)) return ValueTask.FromResult((existing, false));
            long id = _images.Count;
            var record = new ImageRecord(id, image.Path, image.Sha256, image.Label, image.Bytes, image.Width, image.Height,
                DateTimeOffset.UtcNow);
            _images.Add(record);
            _vectors.AddPending(image.Features);
            _idOfHash[image.Sha256] = id;
            foreach (var index in _indexes.All) index.Add(image.Features, [id]);
            _dirty = true;
            return ValueTask.FromResult((id, true));
        }
        finally
        {
            _gate.ExitWriteLock();
        }
    }

    /// <inheritdoc/>
    public override ValueTask<int> DeleteAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken = default)
    {
        EnsureWritable();
        _gate.EnterWriteLock();
        try
        {
            var removed = ids.Where(id => id >= 0 && id < _images.Count && _deleted.Add(id)).ToArray();
            _deletedSinceCommit.UnionWith(removed);
            foreach (long id in removed) _idOfHash.Remove(_images[(int)id].Sha256);
            foreach (var index in _indexes.All) index.Remove(removed);
            _dirty |= removed.Length > 0;
            return ValueTask.FromResult(removed.Length);
        }
        finally
        {
            _gate.ExitWriteLock();
        }
    }

    /// <inheritdoc/>
    public override ValueTask RecordFileStateAsync(string path, FileState state, CancellationToken cancellationToken = default)
    {
        EnsureWritable();
        _gate.Writing(() =>
        {
            _filesBeforeCommit.TryAdd(path, _files.GetValueOrDefault(path));
            _files[path] = state;
            _dirty = true;
        });
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public override ValueTask CommitAsync(CancellationToken cancellationToken = default)
    {
        EnsureWritable();
        _gate.Writing(CommitCore);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Vectors first (append + flush), then one metadata transaction (the commit point). When any
    /// step fails (a full disk, a read-only file system) the changes since the last commit are undone
    /// in memory too, so nothing is reported as stored that a restart would not find.
    /// </summary>
    private void CommitCore()
    {
        if (!_dirty) return;
        EmbeddedManifest manifest;
        try
        {
            manifest = WriteCommit();
        }
        catch (Exception e) when (StorageException.IsStorageFailure(e))
        {
            int lost = _images.Count - (int)_manifest.Rows;
            RollBack();
            throw new StorageException(
                $"Cannot save collection '{_folder}' ({lost} image(s) since the last commit were not stored)", e);
        }
        _manifest = manifest;
        RemapAfterCommit();
        _deletedSinceCommit.Clear();
        _filesBeforeCommit.Clear();
        _dirty = false;
    }

    private EmbeddedManifest WriteCommit()
    {
        string vectorsPath = Path.Combine(_folder, EmbeddedFormat.VectorsFile);
        using (var stream = new FileStream(vectorsPath, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite, 1 << 16))
        {
            stream.Seek(_manifest.Rows * _manifest.Model.Dimension * sizeof(float), SeekOrigin.Begin);
            foreach (float[] row in _vectors.Pending) stream.Write(MemoryMarshal.AsBytes(row.AsSpan()));
            stream.Flush(flushToDisk: true);
        }
        long generation = _manifest.Generation + 1;
        var added = _images.Skip((int)_manifest.Rows).ToList();
        var files = _filesBeforeCommit.Keys.Select(path => new KeyValuePair<string, FileState?>(path, _files.GetValueOrDefault(path)));
        _store.Commit(generation, _images.Count, added, _deletedSinceCommit, files);
        return _manifest with { Rows = _images.Count, Generation = generation, UpdatedAt = DateTimeOffset.UtcNow };
    }

    /// <summary>Back to the last committed state: uncommitted rows, deletions and file states are forgotten.</summary>
    private void RollBack()
    {
        int rows = (int)_manifest.Rows;
        for (int i = rows; i < _images.Count; i++)
        {
            if (_idOfHash.TryGetValue(_images[i].Sha256, out long id) && id == i) _idOfHash.Remove(_images[i].Sha256);
        }
        _images.RemoveRange(rows, _images.Count - rows);
        _deleted.RemoveWhere(id => id >= rows);
        foreach (long id in _deletedSinceCommit.Where(id => id < rows))
        {
            _deleted.Remove(id);
            _idOfHash[_images[(int)id].Sha256] = id;
        }
        _deletedSinceCommit.Clear();
        foreach (var (path, before) in _filesBeforeCommit)
        {
            if (before is null) _files.Remove(path);
            else _files[path] = before;
        }
        _filesBeforeCommit.Clear();
        // The cached indexes saw the undone changes; they are loaded or rebuilt from the committed rows when next used.
        _indexes.Clear();
        _vectors.ClearPending();
        _dirty = false;
    }

    /// <summary>
    /// The committed rows are now in the file: the map is widened to them and the copies held in
    /// memory are dropped. Callers hold the write gate (no search is reading a row).
    /// </summary>
    private void RemapAfterCommit()
    {
        _vectors.ClearPending();
        _vectors.Map(_manifest.Rows);
    }

    /// <summary>Replaces the manifest (the commit point) and takes it as the current one.</summary>
    private void WriteManifest(EmbeddedManifest manifest)
    {
        try
        {
            WriteManifestFile(manifest);
        }
        catch (Exception e) when (StorageException.IsStorageFailure(e))
        {
            throw new StorageException($"Cannot save collection '{_folder}'", e);
        }
        _manifest = manifest;
    }

    private void WriteManifestFile(EmbeddedManifest manifest) =>
        AtomicFile.Write(Path.Combine(_folder, EmbeddedFormat.ManifestFile), s => JsonSerializer.Serialize(s, manifest, EmbeddedFormat.Json));

    private void EnsureWritable()
    {
        if (_lock is null) throw new InvalidOperationException($"Collection '{_folder}' was opened read-only.");
    }
}
