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
            _pendingVectors.Add(image.Features);
            _idOfHash[image.Sha256] = id;
            foreach (var index in _indexes.Values) index.Add(image.Features, [id]);
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
            foreach (long id in removed) _idOfHash.Remove(_images[(int)id].Sha256);
            foreach (var index in _indexes.Values) index.Remove(removed);
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
        _gate.EnterWriteLock();
        try
        {
            _files[path] = state;
            _dirty = true;
        }
        finally
        {
            _gate.ExitWriteLock();
        }
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public override ValueTask CommitAsync(CancellationToken cancellationToken = default)
    {
        EnsureWritable();
        _gate.EnterWriteLock();
        try
        {
            CommitCore();
        }
        finally
        {
            _gate.ExitWriteLock();
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>Vectors first (append + flush), then a new metadata generation, then the manifest.</summary>
    private void CommitCore()
    {
        if (!_dirty) return;
        string vectorsPath = Path.Combine(_folder, EmbeddedFormat.VectorsFile);
        using (var stream = new FileStream(vectorsPath, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read, 1 << 16))
        {
            stream.Seek(_manifest.Rows * _manifest.Model.Dimension * sizeof(float), SeekOrigin.Begin);
            foreach (float[] row in _pendingVectors) stream.Write(MemoryMarshal.AsBytes(row.AsSpan()));
            stream.Flush(flushToDisk: true);
        }
        long generation = _manifest.Generation + 1;
        string metadataFile = EmbeddedFormat.MetadataFileName(generation);
        var metadata = new EmbeddedMetadata(_images, [.. _deleted.Order()], _files);
        AtomicFile.Write(Path.Combine(_folder, metadataFile),
            s => JsonSerializer.Serialize(s, metadata, EmbeddedFormat.CompactJson));
        string previousMetadata = _manifest.MetadataFile;
        var manifest = _manifest with
        {
            Rows = _images.Count,
            Generation = generation,
            MetadataFile = metadataFile,
            UpdatedAt = DateTimeOffset.UtcNow,
        };
        AtomicFile.Write(Path.Combine(_folder, EmbeddedFormat.ManifestFile),
            s => JsonSerializer.Serialize(s, manifest, EmbeddedFormat.Json));
        _manifest = manifest;
        _pendingVectors.Clear();
        _dirty = false;
        File.Delete(Path.Combine(_folder, previousMetadata));
    }

    private void EnsureWritable()
    {
        if (_lock is null) throw new InvalidOperationException($"Collection '{_folder}' was opened read-only.");
    }
}
