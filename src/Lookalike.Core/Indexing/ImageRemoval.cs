using Lookalike.Collections;
using Lookalike.Errors;

namespace Lookalike.Indexing;

/// <summary>What one target of a removal named.</summary>
/// <param name="Target">As given: a path (file or folder) or an id.</param>
/// <param name="Images">The images it named.</param>
public sealed record RemovalTarget(string Target, IReadOnlyList<ImageRecord> Images);

/// <summary>
/// Takes images out of a collection without a rebuild: by id, by the path of a file it was indexed from (whether or not the
/// file still exists), or every image under a folder; the saved indexes drop them when they are next brought up to date.
/// Files are never touched: a later index run over a folder that still holds a removed file adds it back.
/// </summary>
public static class ImageRemoval
{
    /// <summary>Removes the images <paramref name="targets"/> name, all or nothing, and commits.</summary>
    /// <exception cref="LookalikeException">when a target names no image of the collection (then nothing is removed).</exception>
    public static async Task<IReadOnlyList<RemovalTarget>> RemoveAsync(ImageCollection collection, IReadOnlyList<string> targets,
        CancellationToken cancellationToken = default)
    {
        var known = await RecordedFiles.ReadAsync(collection, cancellationToken).ConfigureAwait(false);
        var resolved = new List<RemovalTarget>();
        foreach (string target in targets)
        {
            var images = await ResolveAsync(collection, known, target, cancellationToken).ConfigureAwait(false);
            if (images.Count == 0)
            {
                throw new LookalikeException($"'{target}' names no image of collection '{collection.Location}' (give an id, or the path of an " +
                    "indexed file or folder); nothing was removed.");
            }
            resolved.Add(new RemovalTarget(target, images));
        }
        await DeleteAsync(collection, [.. resolved.SelectMany(r => r.Images.Select(i => i.Id))], cancellationToken).ConfigureAwait(false);
        return resolved;
    }

    /// <summary>
    /// Removes the images indexed from under <paramref name="folder"/> none of whose recorded files exist any more, and commits.
    /// </summary>
    /// <returns>The images removed.</returns>
    public static async Task<IReadOnlyList<ImageRecord>> RemoveMissingAsync(ImageCollection collection, string folder,
        CancellationToken cancellationToken = default)
    {
        string root = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        var known = await RecordedFiles.ReadAsync(collection, cancellationToken).ConfigureAwait(false);
        var missing = known.Images.Values
            .Where(i => i.Path.StartsWith(root, StringComparison.Ordinal) && !known.PathsOf(i.Id).Any(File.Exists))
            .ToList();
        await DeleteAsync(collection, [.. missing.Select(i => i.Id)], cancellationToken).ConfigureAwait(false);
        return missing;
    }

    private static async Task DeleteAsync(ImageCollection collection, IReadOnlyCollection<long> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0) return;
        await collection.DeleteAsync(ids.Distinct().ToList(), cancellationToken).ConfigureAwait(false);
        await collection.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyList<ImageRecord>> ResolveAsync(ImageCollection collection,
        RecordedFiles known, string target, CancellationToken cancellationToken)
    {
        string full = Path.GetFullPath(target).TrimEnd(Path.DirectorySeparatorChar);
        if (known.ImageOfPath.TryGetValue(full, out var image)) return [image];
        string folder = full + Path.DirectorySeparatorChar;
        var under = known.ImageOfPath.Where(k => k.Key.StartsWith(folder, StringComparison.Ordinal)).Select(k => k.Value)
            .DistinctBy(i => i.Id).OrderBy(i => i.Id).ToList();
        if (under.Count > 0) return under;
        // Not a known path: an id, unless a file or folder of that name exists (a path is never taken for an id).
        if (!File.Exists(target) && !Directory.Exists(target) && long.TryParse(target, out long id)
            && await collection.GetAsync(id, cancellationToken).ConfigureAwait(false) is { } byId)
        {
            return [byId];
        }
        return [];
    }
}
