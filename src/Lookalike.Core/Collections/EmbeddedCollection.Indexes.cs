using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Lookalike.Errors;
using Lookalike.Indexes;
using Lookalike.IO;
using Lookalike.Progress;

namespace Lookalike.Collections;

public sealed partial class EmbeddedCollection
{
    /// <inheritdoc/>
    public override ValueTask<IReadOnlyList<PersistedIndex>> SaveIndexesAsync(IReadOnlyCollection<string> specs, bool rebuild = false,
        IProgress<ProgressUpdate>? progress = null, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(SaveIndexes(specs, rebuild, progress));

    /// <summary>
    /// Builds the indexes <paramref name="specs"/> (ranking by the collection's metric) over every live vector and saves them with the
    /// collection (<c>indexes/NAME.lkidx</c>, named in the manifest with the rows they cover), so that
    /// searches load them instead of training. An index saved already is brought up to date (rows
    /// added since are added, deleted ones removed) unless <paramref name="rebuild"/> asks to train it
    /// afresh; indexes saved before and not named are kept and brought up to date too.
    /// </summary>
    /// <returns>The saved indexes, as the manifest now lists them.</returns>
    /// <exception cref="LookalikeException">for a bad spec, or an index that must be trained over an empty collection.</exception>
    public IReadOnlyList<PersistedIndex> SaveIndexes(IReadOnlyCollection<string> specs, bool rebuild = false,
        IProgress<ProgressUpdate>? progress = null)
    {
        EnsureWritable();
        _gate.EnterWriteLock();
        try
        {
            CommitCore();
            var chosen = DistanceMetrics.Parse(_manifest.Metric);
            var wanted = specs.Select(s => (Metric: chosen, Spec: Canonical(chosen, s))).ToList();
            var saved = (_manifest.Indexes ?? []).ToList();
            foreach (var entry in saved.ToList())
            {
                var key = (DistanceMetrics.Parse(entry.Metric), entry.Spec);
                if (!wanted.Contains(key)) wanted.Add(key);
            }
            var result = new List<PersistedIndex>();
            foreach (var (indexMetric, spec) in wanted)
            {
                var entry = saved.FirstOrDefault(e => e.Spec == spec && DistanceMetrics.Parse(e.Metric) == indexMetric);
                var index = !rebuild && entry is not null ? LoadPersisted(entry, indexMetric, progress) : null;
                index ??= BuildIndex(indexMetric, spec, progress);
                long trainedOn = rebuild || entry is null || index.Count == 0 ? index.Count : entry.TrainedOn;
                result.Add(Persist(index, indexMetric, trainedOn));
                _indexes.Keep(indexMetric, spec, index);
            }
            WriteManifest(_manifest with { Indexes = result, UpdatedAt = DateTimeOffset.UtcNow });
            RemoveUnnamedIndexFiles(result);
            return result;
        }
        finally
        {
            _gate.ExitWriteLock();
        }
    }

    /// <summary>The loaded, saved or freshly built index for (metric, spec), cached for later searches.</summary>
    private IVectorIndex GetOrLoadIndex(DistanceMetric metric, string spec) => _indexes.GetOrLoad(metric, spec, (m, canonical) =>
    {
        var entry = (_manifest.Indexes ?? []).FirstOrDefault(e => e.Spec == canonical && DistanceMetrics.Parse(e.Metric) == m);
        return (entry is null ? null : LoadPersisted(entry, m, null)) ?? BuildIndex(m, canonical, null);
    });

    private string Canonical(DistanceMetric metric, string spec) => _indexes.Canonical(metric, spec);

    /// <summary>
    /// A saved index over the shared vectors, brought up to date with rows committed or added since
    /// it was saved and deletions since; null (and a progress note) when its file cannot be read, so
    /// that the caller builds it afresh rather than failing.
    /// </summary>
    private IVectorIndex? LoadPersisted(PersistedIndex entry, DistanceMetric metric, IProgress<ProgressUpdate>? progress)
    {
        IVectorIndex index;
        try
        {
            index = _registry.Load(IndexPath(entry.Name), _vectors);
        }
        catch (Exception e) when (e is LookalikeException or IOException or UnauthorizedAccessException)
        {
            progress?.Report(new ProgressUpdate($"Rebuilding {entry.Spec}", 0, null, $"its file cannot be used: {e.Message}"));
            return null;
        }
        if (index.Spec != entry.Spec || index.Metric != metric || index.Dimension != _manifest.Model.Dimension)
        {
            index.Dispose();
            progress?.Report(new ProgressUpdate($"Rebuilding {entry.Spec}", 0, null, "its file holds another index"));
            return null;
        }
        index.Remove([.. _deleted]);
        AddRows(index, entry.Rows, progress);
        return index;
    }

    /// <summary>A new index over the shared vectors, trained (where it must be) and filled with every live row.</summary>
    private IVectorIndex BuildIndex(DistanceMetric metric, string spec, IProgress<ProgressUpdate>? progress) =>
        IndexFilling.Build(_registry, _manifest.Model.Dimension, metric, spec, _vectors, LiveIdsFrom(0), LiveVectors, _folder, progress);

    /// <summary>Adds the live rows from id <paramref name="first"/> on, in batches, with progress.</summary>
    private void AddRows(IVectorIndex index, long first, IProgress<ProgressUpdate>? progress) =>
        IndexFilling.Add(index, _vectors, LiveIdsFrom(first), IndexFilling.UpdateStage(index), progress);

    /// <summary>Ids of live rows from <paramref name="first"/> on, in order.</summary>
    private List<long> LiveIdsFrom(long first)
    {
        var ids = new List<long>((int)Math.Max(0, _vectors.Rows - first));
        for (long id = first; id < _vectors.Rows; id++)
        {
            if (!_deleted.Contains(id)) ids.Add(id);
        }
        return ids;
    }

    /// <summary>Writes an index file atomically; returns its manifest entry.</summary>
    private PersistedIndex Persist(IVectorIndex index, DistanceMetric metric, long trainedOn)
    {
        string name = NameOf(metric, index.Spec);
        string path = IndexPath(name);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            IndexRegistry.Save(index, path);
        }
        catch (Exception e) when (StorageException.IsStorageFailure(e))
        {
            throw new StorageException($"Cannot save index {index.Spec} in '{_folder}'", e);
        }
        return new PersistedIndex(name, index.Spec, metric.Name(), _vectors.Rows, trainedOn, new FileInfo(path).Length, DateTimeOffset.UtcNow);
    }

    /// <summary>Index files no manifest entry names (left by a crash before the manifest was written, or replaced).</summary>
    private void RemoveUnnamedIndexFiles(IReadOnlyList<PersistedIndex> named)
    {
        string folder = Path.Combine(_folder, EmbeddedFormat.IndexesFolder);
        if (!Directory.Exists(folder)) return;
        var keep = named.Select(n => n.Name + EmbeddedFormat.IndexExtension).ToHashSet(StringComparer.Ordinal);
        foreach (string file in Directory.EnumerateFiles(folder, "*" + EmbeddedFormat.IndexExtension))
        {
            if (!keep.Contains(Path.GetFileName(file))) AtomicFile.TryDelete(file);
        }
        AtomicFile.CleanTemporaries(folder);
    }

    private string IndexPath(string name) => Path.Combine(_folder, EmbeddedFormat.IndexesFolder, name + EmbeddedFormat.IndexExtension);

    /// <summary>
    /// A file name that says what the index is and cannot collide: type, metric, hash of the spec, and
    /// the commit it covers — a newer save is a new file, so a reader holding the previous manifest
    /// never loads a file that covers rows its entry does not say (the old file goes once the manifest
    /// names the new one).
    /// </summary>
    private string NameOf(DistanceMetric metric, string spec)
    {
        int end = spec.IndexOfAny(['(', ',']);
        string type = (end < 0 ? spec : spec[..end]).ToLowerInvariant();
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{metric.Name()}|{spec}")))[..12];
        return string.Create(CultureInfo.InvariantCulture, $"{type}-{metric.Name()}-{hash}-{_manifest.Generation:D6}");
    }
}
