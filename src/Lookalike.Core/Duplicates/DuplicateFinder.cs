using System.Diagnostics;
using Lookalike.Collections;
using Lookalike.Indexes;
using Lookalike.Progress;

namespace Lookalike.Duplicates;

/// <summary>
/// Finds the files of a collection that are copies of one another: byte-identical files from the content
/// hashes recorded at index time, and near-duplicates as the connected components of the graph whose edges
/// join each image to those of its k nearest neighbours (from the collection's approximate index) that are at
/// least the threshold's cosine similarity away. One search per image: it scales as the index does, not as n².
/// </summary>
public static class DuplicateFinder
{
    private const string Stage = "Finding near-duplicates";

    /// <summary>Looks for duplicates in <paramref name="collection"/>.</summary>
    /// <exception cref="Errors.LookalikeException">for options out of range or an index spec the collection cannot build.</exception>
    public static async Task<DuplicateReport> FindAsync(ImageCollection collection, DuplicateOptions options,
        IProgress<ProgressUpdate>? progress = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        var clock = Stopwatch.StartNew();
        var recorded = await RecordedFiles.ReadAsync(collection, cancellationToken).ConfigureAwait(false);
        var images = recorded.Images;
        var groups = ExactGroups(recorded);
        if (options.ExactOnly) return new DuplicateReport(groups, options, null, images.Count, default, clock.Elapsed);
        string spec = options.IndexSpec ?? collection.Info.ApproximateIndexSpec();
        var (components, stats) = await NeighbourComponentsAsync(collection, images, options, spec, progress, cancellationToken)
            .ConfigureAwait(false);
        foreach (var ids in components)
        {
            groups.Add(await NearGroupAsync(collection, [.. ids.Select(id => images[id])], cancellationToken).ConfigureAwait(false));
        }
        var ordered = groups.OrderBy(g => g.Kind).ThenByDescending(g => g.Members.Count).ThenBy(g => g.Keeper.ImageId).ToList();
        return new DuplicateReport(ordered, options, spec, images.Count, stats, clock.Elapsed);
    }

    /// <summary>
    /// Paths recorded with the content of a live image, where more than one of them still exists: the
    /// collection's own path of that content first (the copy it holds), then the rest by path.
    /// </summary>
    private static List<DuplicateGroup> ExactGroups(RecordedFiles recorded)
    {
        var groups = new List<DuplicateGroup>();
        foreach (var image in recorded.Images.Values)
        {
            var existing = recorded.PathsOf(image.Id).Where(File.Exists).ToList();
            if (existing.Count >= 2) groups.Add(new DuplicateGroup(DuplicateKind.Exact, [.. existing.Select(p => MemberOf(image, p, 1f))]));
        }
        return groups;
    }

    private static async Task<(IReadOnlyList<long[]> Components, SearchStats Stats)> NeighbourComponentsAsync(ImageCollection collection,
        IReadOnlyDictionary<long, ImageRecord> images, DuplicateOptions options, string spec, IProgress<ProgressUpdate>? progress,
        CancellationToken cancellationToken)
    {
        var sets = new DisjointSets();
        var stats = default(SearchStats);
        long done = 0;
        // One thread per search and one search per core: neighbour lists of many images, not one fast query.
        var search = new SearchOptions(Math.Min(options.Neighbours + 1, SearchOptions.MaxK), IndexSpec: spec,
            Parameters: new SearchParameters { Threads = 1 });
        progress?.Report(new ProgressUpdate(Stage, 0, images.Count, $"loading {spec}"));
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(images.Keys, parallel, async (id, token) =>
        {
            if (await collection.GetFeaturesAsync(id, token).ConfigureAwait(false) is not { } features) return;
            var response = await collection.SearchAsync(features, search, token).ConfigureAwait(false);
            lock (sets)
            {
                foreach (var hit in response.Hits)
                {
                    if (hit.Image.Id != id && hit.Similarity >= options.Threshold && images.ContainsKey(hit.Image.Id)) sets.Union(id, hit.Image.Id);
                }
                stats += response.Stats;
                if (++done % 256 == 0 || done == images.Count) progress?.Report(new ProgressUpdate(Stage, done, images.Count));
            }
        }).ConfigureAwait(false);
        return (sets.Sets(), stats);
    }

    /// <summary>A near-duplicate group: the keeper (most pixels, then first added, then smallest id) first, then by similarity to it.</summary>
    private static async Task<DuplicateGroup> NearGroupAsync(ImageCollection collection, IReadOnlyList<ImageRecord> images,
        CancellationToken cancellationToken)
    {
        var keeper = images.OrderByDescending(i => (long)i.Width * i.Height).ThenBy(i => i.AddedAt).ThenBy(i => i.Id).First();
        float[] kept = await collection.GetFeaturesAsync(keeper.Id, cancellationToken).ConfigureAwait(false) ?? [];
        var members = new List<DuplicateMember> { MemberOf(keeper, keeper.Path, 1f) };
        foreach (var image in images)
        {
            if (image.Id == keeper.Id) continue;
            float[]? features = await collection.GetFeaturesAsync(image.Id, cancellationToken).ConfigureAwait(false);
            float similarity = features is null || kept.Length != features.Length ? 0f : Math.Clamp(Distances.CosineSimilarity(kept, features), -1f, 1f);
            members.Add(MemberOf(image, image.Path, similarity));
        }
        return new DuplicateGroup(DuplicateKind.Near, [members[0], .. members.Skip(1).OrderByDescending(m => m.Similarity).ThenBy(m => m.ImageId)]);
    }

    private static DuplicateMember MemberOf(ImageRecord image, string path, float similarity) =>
        new(image.Id, path, image.Sha256, image.Label, image.Bytes, image.Width, image.Height, image.AddedAt, similarity);
}
