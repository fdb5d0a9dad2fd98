using System.Diagnostics;
using System.Runtime.CompilerServices;
using Lookalike.Collections;
using Lookalike.Features;
using Lookalike.IO;
using Lookalike.Progress;

namespace Lookalike.Indexing;

/// <summary>Options of <see cref="FolderIndexer"/>.</summary>
public sealed class FolderIndexerOptions
{
    /// <summary>Use each image's parent folder name as its class label.</summary>
    public bool LabelsFromFolders { get; init; }

    /// <summary>Commit after this many new images, so an interruption loses little work.</summary>
    public int CommitEvery { get; init; } = 1000;

    /// <summary>Also commit once after this many extracted images (the end of a sample indexed first, so it is searchable at once).</summary>
    public int? CommitAfter { get; init; }

    /// <summary>Commit at least this often while images are being added.</summary>
    public TimeSpan CommitInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Files larger than this are skipped without being read whole.</summary>
    public long MaxFileBytes { get; init; } = BoundedFileReader.DefaultMaxBytes;

    /// <summary>How long reading one file may take.</summary>
    public TimeSpan ReadTimeout { get; init; } = BoundedFileReader.DefaultTimeout;

    /// <summary>
    /// The journal the extractor's decoder writes (see <see cref="DecodeJournal"/>): files that
    /// stopped an earlier run inside the decoder are skipped and named until they change.
    /// </summary>
    public DecodeJournal? Journal { get; init; }
}

/// <summary>A file that could not be indexed, and why.</summary>
/// <param name="Path">The file.</param>
/// <param name="Reason">What went wrong.</param>
public sealed record IndexingFailure(string Path, string Reason);

/// <summary>What one indexing run did.</summary>
/// <param name="Scanned">Image files found.</param>
/// <param name="Unchanged">Files skipped because size and time matched the last run.</param>
/// <param name="Added">New images extracted and added.</param>
/// <param name="Merged">Files whose content was already in the collection (or earlier in the run), with the file that holds it.</param>
/// <param name="Replaced">Edited files whose previous content was removed from the collection.</param>
/// <param name="Failures">Files that could not be decoded or read.</param>
/// <param name="IgnoredFiles">Files without an image extension.</param>
/// <param name="Elapsed">Wall time.</param>
public sealed record IndexingReport(int Scanned, int Unchanged, int Added, IReadOnlyList<MergedDuplicate> Merged, int Replaced,
    IReadOnlyList<IndexingFailure> Failures, int IgnoredFiles, TimeSpan Elapsed)
{
    /// <summary>Files whose content was already in the collection.</summary>
    public int Duplicates => Merged.Count;

    /// <summary>Merged files whose folder label differs from that of the file holding their content.</summary>
    public IReadOnlyList<MergedDuplicate> ConflictingLabels => [.. Merged.Where(m => m.LabelConflicts)];

    /// <summary>New images per second over the run.</summary>
    public double ImagesPerSecond => Elapsed.TotalSeconds > 0 ? Added / Elapsed.TotalSeconds : 0;
}

/// <summary>A file not stored again because its bytes are those of <paramref name="KeptPath"/>, which the collection holds.</summary>
/// <param name="Path">The merged file.</param>
/// <param name="Label">Its label (from its folder), if any.</param>
/// <param name="KeptPath">The file whose record holds the content.</param>
/// <param name="KeptLabel">That record's label.</param>
public sealed record MergedDuplicate(string Path, string? Label, string KeptPath, string? KeptLabel)
{
    /// <summary>Whether both carry a label and the labels differ (one of them is likely wrong).</summary>
    public bool LabelConflicts => Label is not null && KeptLabel is not null && !string.Equals(Label, KeptLabel, StringComparison.Ordinal);
}

/// <summary>
/// Brings a collection up to date with a folder: new or changed files are decoded, featurised and
/// added; unchanged files (same size and write time) are not read; identical content is stored once;
/// undecodable files are reported and skipped, never deleted.
/// </summary>
/// <remarks>One run at a time per collection; not thread-safe.</remarks>
public sealed class FolderIndexer(ImageCollection collection, IFeatureExtractor extractor, FolderIndexerOptions? options = null)
{
    private readonly FolderIndexerOptions _options = options ?? new FolderIndexerOptions();

    private sealed record Pending(string Path, FileState State, string? Label);

    /// <summary>Byte-identical copies of a file being extracted: settled with its result (added, or failed alike).</summary>
    private readonly Dictionary<string, List<Pending>> _twins = new(StringComparer.Ordinal);

    /// <summary>Indexes every image under <paramref name="folder"/>.</summary>
    /// <exception cref="Errors.LookalikeException">when the folder is missing or has no images.</exception>
    public Task<IndexingReport> IndexAsync(string folder, IProgress<ProgressUpdate>? progress = null,
        CancellationToken cancellationToken = default) =>
        IndexAsync(ImageFiles.Scan(folder), progress, cancellationToken);

    /// <summary>Indexes the images of a scanned folder.</summary>
    public async Task<IndexingReport> IndexAsync(ImageFolder folder, IProgress<ProgressUpdate>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var files = folder.Images;
        var tally = new Tally();
        var failures = folder.Skipped.Select(s => new IndexingFailure(s.Path, s.Reason)).ToList();
        _twins.Clear();
        void Step(string? detail) =>
            progress?.Report(new ProgressUpdate("Indexing", Interlocked.Increment(ref tally.Done), files.Count, detail));

        var sinceCommit = Stopwatch.StartNew();
        int uncommitted = 0, extracted = 0;
        try
        {
            var inputs = ReadChangedFiles(folder.Root, files, tally, failures, Step, cancellationToken);
            await foreach (var result in extractor.ExtractStreamAsync(inputs, cancellationToken))
            {
                var pending = (Pending)result.Input.Tag!;
                var twins = TakeTwins(pending.State.Sha256);
                if (!result.Succeeded)
                {
                    lock (failures)
                    {
                        failures.Add(new IndexingFailure(pending.Path, result.Error!));
                        failures.AddRange(twins.Select(t => new IndexingFailure(t.Path, $"{result.Error} (same content as {pending.Path})")));
                    }
                    Step(pending.Path);
                    foreach (var twin in twins) Step(twin.Path);
                    continue;
                }
                var (_, added) = await collection.StoreAsync(pending.Path, pending.State, pending.Label, result, cancellationToken);
                var kept = added ? null : await collection.FindByHashAsync(pending.State.Sha256, cancellationToken);
                if (added) Interlocked.Increment(ref tally.Added);
                else tally.Merge(pending, kept);
                Step(pending.Path);
                foreach (var twin in twins)
                {
                    await collection.RecordFileStateAsync(twin.Path, twin.State, cancellationToken);
                    if (kept is null) tally.Merge(twin, pending.Path, pending.Label);
                    else tally.Merge(twin, kept);
                    Step(twin.Path);
                }
                extracted++;
                if (++uncommitted >= _options.CommitEvery || sinceCommit.Elapsed >= _options.CommitInterval || extracted == _options.CommitAfter)
                {
                    await collection.CommitAsync(CancellationToken.None);
                    uncommitted = 0;
                    sinceCommit.Restart();
                }
            }
        }
        finally
        {
            // Whatever finished before an error or Ctrl+C is kept.
            await collection.CommitAsync(CancellationToken.None);
        }
        return new IndexingReport(files.Count, tally.Unchanged, tally.Added, tally.MergedInOrder(), tally.Replaced, failures, folder.Ignored,
            clock.Elapsed);
    }

    /// <summary>Queues <paramref name="twin"/> behind the copy being extracted; false when that copy is already settled.</summary>
    private bool AddTwin(Pending twin)
    {
        lock (_twins)
        {
            if (!_twins.TryGetValue(twin.State.Sha256, out var waiting)) return false;
            waiting.Add(twin);
            return true;
        }
    }

    private List<Pending> TakeTwins(string sha256)
    {
        lock (_twins) return _twins.Remove(sha256, out var waiting) ? waiting : [];
    }

    /// <summary>Counters shared by the file reader and the result loop, which run concurrently.</summary>
    private sealed class Tally
    {
        private readonly List<MergedDuplicate> _merged = [];

        public int Unchanged;
        public int Added;
        public int Replaced;
        public long Done;

        public void Merge(Pending file, string keptPath, string? keptLabel)
        {
            lock (_merged) _merged.Add(new MergedDuplicate(file.Path, file.Label, keptPath, keptLabel));
        }

        public void Merge(Pending file, ImageRecord? kept) => Merge(file, kept?.Path ?? "(removed meanwhile)", kept?.Label);

        public IReadOnlyList<MergedDuplicate> MergedInOrder()
        {
            lock (_merged) return [.. _merged.OrderBy(m => m.Path, StringComparer.Ordinal)];
        }
    }

    /// <summary>Yields the files that need extraction; settles unchanged files and known content on the way.</summary>
    private async IAsyncEnumerable<ImageInput> ReadChangedFiles(string root, IReadOnlyList<string> files, Tally tally,
        List<IndexingFailure> failures, Action<string?> step, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var seenThisRun = new HashSet<string>(StringComparer.Ordinal);
        foreach (string path in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var info = new FileInfo(path);
            var known = await collection.GetFileStateAsync(path, cancellationToken);
            if (known is not null && known.Size == info.Length && known.LastWriteTicks == info.LastWriteTimeUtc.Ticks
                && await collection.FindByHashAsync(known.Sha256, cancellationToken) is not null)
            {
                Interlocked.Increment(ref tally.Unchanged);
                step(null);
                continue;
            }
            if (_options.Journal?.HasCrashed(path, info.Length, info.LastWriteTimeUtc.Ticks) == true)
            {
                lock (failures)
                    failures.Add(new IndexingFailure(path, "stopped an earlier run while it was being decoded; skipped until the file changes"));
                step(path);
                continue;
            }
            byte[] bytes;
            try
            {
                bytes = await BoundedFileReader.ReadAsync(path, _options.MaxFileBytes, _options.ReadTimeout, cancellationToken);
            }
            catch (UnreadableFileException e)
            {
                lock (failures) failures.Add(new IndexingFailure(path, e.Reason));
                step(path);
                continue;
            }
            string sha = FileHash.Sha256Of(bytes);
            var state = new FileState(bytes.Length, info.LastWriteTimeUtc.Ticks, sha);
            if (known is not null && known.Sha256 != sha
                && await collection.FindByHashAsync(known.Sha256, cancellationToken) is { } old && old.Path == path)
            {
                // The file was edited: its old content is gone from the folder, so it leaves the collection.
                await collection.DeleteAsync([old.Id], cancellationToken);
                Interlocked.Increment(ref tally.Replaced);
            }
            string? label = _options.LabelsFromFolders ? ImageFiles.LabelFromFolder(root, path) : null;
            if (!seenThisRun.Add(sha))
            {
                // Its twin is still being extracted: whether this copy is a duplicate or a failure is known then.
                if (AddTwin(new Pending(path, state, label))) continue;
            }
            if (await collection.FindByHashAsync(sha, cancellationToken) is { } holder)
            {
                await collection.RecordFileStateAsync(path, state, cancellationToken);
                // The record of this very file (only its file state was missing) is not a merge.
                if (holder.Path == path) Interlocked.Increment(ref tally.Unchanged);
                else tally.Merge(new Pending(path, state, label), holder);
                step(null);
                continue;
            }
            lock (_twins) _twins[sha] = [];
            yield return new ImageInput(path, bytes, new Pending(path, state, label));
        }
    }
}
