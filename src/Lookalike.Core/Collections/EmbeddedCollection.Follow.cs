namespace Lookalike.Collections;

public sealed partial class EmbeddedCollection
{
    /// <inheritdoc/>
    /// <remarks>New rows are added to the loaded indexes and deleted ones removed, so nothing is rebuilt; one stat and one small query when nothing changed.</remarks>
    /// <exception cref="Errors.LookalikeException">when the folder no longer holds a readable collection.</exception>
    public override bool Refresh()
    {
        if (_lock is not null) return false; // the writer is the one making the commits
        string manifestPath = Path.Combine(_folder, EmbeddedFormat.ManifestFile);
        var stamp = ManifestStamp(manifestPath);
        long generation;
        try
        {
            generation = _store.ReadState().Generation;
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            throw new Errors.LookalikeException($"Collection '{_folder}' can no longer be read: {e.Message}", e);
        }
        if (stamp == _manifestSeen && generation == _manifest.Generation) return false;
        var manifest = ReadManifest(_folder);
        var (rows, committed, metadata) = _store.ReadCommitted();
        manifest = manifest with { Rows = rows, Generation = committed };
        _gate.EnterWriteLock();
        try
        {
            _manifestSeen = stamp;
            if (manifest.Generation == _manifest.Generation)
            {
                // Only the manifest changed (e.g. indexes saved): take its list, keep what is loaded.
                _manifest = manifest;
                return false;
            }
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
            _indexes.Clear();
        }
        var newlyDeleted = metadata.Deleted.Where(id => id < newRows && !_deleted.Contains(id)).ToArray();
        _manifest = manifest;
        TakeCommittedState(manifest, metadata);
        _vectors.Map(newRows);
        if (_indexes.IsEmpty || newRows == oldRows && newlyDeleted.Length == 0) return;
        foreach (var index in _indexes.All)
        {
            index.Remove(newlyDeleted);
            AddRows(index, oldRows, null);
        }
    }
}
