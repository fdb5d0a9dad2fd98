using Lookalike.Indexes;
using Lookalike.Progress;

namespace Lookalike.Collections;

/// <summary>What <see cref="CollectionCopy.CopyAsync"/> did.</summary>
/// <param name="Copied">Images added to the target.</param>
/// <param name="AlreadyThere">Images the target held already (an earlier, interrupted copy; identical content).</param>
/// <param name="Files">Source-file states carried over.</param>
/// <param name="Indexes">Saved indexes built in the target.</param>
public sealed record CopyReport(long Copied, long AlreadyThere, long Files, IReadOnlyList<PersistedIndex> Indexes);

/// <summary>
/// Copies one collection into another of any store (e.g. a folder into PostgreSQL): every live image with its
/// features and metadata, the source-file states (so later <c>index</c> runs skip unchanged files) and
/// the saved index specs (built in the target). Resumable: images are identified by content, so
/// a copy that was interrupted goes on where its last commit ended.
/// </summary>
public static class CollectionCopy
{
    /// <summary>Copies <paramref name="from"/> into <paramref name="to"/> (of the same model), committing every <paramref name="commitEvery"/> images.</summary>
    /// <exception cref="Errors.CollectionMismatchException">when the target holds another model's features.</exception>
    public static async Task<CopyReport> CopyAsync(ImageCollection from, ImageCollection to, int commitEvery = 1000,
        IProgress<ProgressUpdate>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(commitEvery, 1);
        to.EnsureModel(from.Model);
        long total = from.Count, done = 0, copied = 0, present = 0, sinceCommit = 0;
        progress?.Report(new ProgressUpdate("Copying images", 0, total));
        await foreach (var image in from.ListAsync(cancellationToken))
        {
            done++;
            if (await to.FindByHashAsync(image.Sha256, cancellationToken) is not null)
            {
                present++;
                continue;
            }
            var features = await from.GetFeaturesAsync(image.Id, cancellationToken);
            if (features is null) continue; // deleted meanwhile
            await to.AddAsync(new NewImage(image.Path, image.Sha256, image.Label, image.Bytes, image.Width, image.Height, features), cancellationToken);
            copied++;
            if (++sinceCommit < commitEvery) continue;
            await to.CommitAsync(cancellationToken);
            sinceCommit = 0;
            progress?.Report(new ProgressUpdate("Copying images", done, total));
        }
        await to.CommitAsync(cancellationToken);
        progress?.Report(new ProgressUpdate("Copying images", total, total));
        long files = 0;
        await foreach (var (path, state) in from.ListFileStatesAsync(cancellationToken))
        {
            if (await to.GetFileStateAsync(path, cancellationToken) == state) continue;
            await to.RecordFileStateAsync(path, state, cancellationToken);
            files++;
        }
        await to.CommitAsync(cancellationToken);
        var specs = from.Info.Indexes.Where(i => i.Metric == to.Info.Metric.Name()).Select(i => i.Spec).ToList();
        var indexes = specs.Count == 0 ? to.Info.Indexes : await to.SaveIndexesAsync(specs, progress: progress, cancellationToken: cancellationToken);
        return new CopyReport(copied, present, files, indexes);
    }
}
