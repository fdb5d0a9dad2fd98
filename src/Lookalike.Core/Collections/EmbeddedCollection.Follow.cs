using System.Runtime.InteropServices;

namespace Lookalike.Collections;

public sealed partial class EmbeddedCollection
{
    /// <summary>
    /// For a collection opened read-only: takes in what another process has committed since this
    /// one was opened (or last refreshed). New rows are added to the loaded indexes and deleted ones
    /// removed, so nothing is rebuilt. Cheap when nothing changed (one file-system stat).
    /// </summary>
    /// <returns>Whether a new commit was taken in.</returns>
    /// <exception cref="Errors.LookalikeException">when the folder no longer holds a readable collection.</exception>
    public bool Refresh()
    {
        if (_lock is not null) return false; // the writer is the one making the commits
        string manifestPath = Path.Combine(_folder, EmbeddedFormat.ManifestFile);
        var stamp = ManifestStamp(manifestPath);
        if (stamp == _manifestSeen) return false;
        var (manifest, metadata) = ReadCommitted(_folder, manifestPath);
        _gate.EnterWriteLock();
        try
        {
            _manifestSeen = stamp;
            if (manifest.Generation == _manifest.Generation) return false;
            ApplyCommitted(manifest, metadata);
            return true;
        }
        finally
        {
            _gate.ExitWriteLock();
        }
    }

    /// <summary>Moves this reader's state to a newer commit. Callers hold the write gate.</summary>
    private void ApplyCommitted(EmbeddedManifest manifest, EmbeddedMetadata metadata)
    {
        int oldRows = _images.Count, newRows = (int)manifest.Rows;
        bool appendOnly = newRows >= oldRows && manifest.Model.Sha256 == _manifest.Model.Sha256;
        if (!appendOnly)
        {
            // Not a continuation of what was loaded (the collection was replaced): start afresh.
            foreach (var index in _indexes.Values) index.Dispose();
            _indexes.Clear();
        }
        var newlyDeleted = metadata.Deleted.Where(id => id < newRows && !_deleted.Contains(id)).ToArray();
        _manifest = manifest;
        TakeCommittedState(manifest, metadata);
        if (_indexes.Count == 0 || newRows == oldRows && newlyDeleted.Length == 0) return;
        int dimension = manifest.Model.Dimension;
        var rows = new float[(long)(newRows - oldRows) * dimension];
        using (var stream = OpenVectors())
        {
            stream.Seek((long)oldRows * dimension * sizeof(float), SeekOrigin.Begin);
            stream.ReadExactly(MemoryMarshal.AsBytes(rows.AsSpan()));
        }
        var ids = Enumerable.Range(oldRows, newRows - oldRows).Select(i => (long)i).Where(id => !_deleted.Contains(id)).ToArray();
        foreach (var index in _indexes.Values)
        {
            index.Remove(newlyDeleted);
            foreach (long id in ids) index.Add(rows.AsSpan((int)(id - oldRows) * dimension, dimension), [id]);
        }
    }
}
