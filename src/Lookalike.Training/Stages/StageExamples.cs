using Lookalike.Errors;
using Lookalike.Features;
using Lookalike.Indexing;
using Lookalike.Progress;

namespace Lookalike.Training.Stages;

/// <summary>Labelled images of a stage's training: each one's row in a <see cref="StageMapCache"/>, its label and file.</summary>
/// <param name="Source">Where they came from, for messages.</param>
/// <param name="Rows">Rows of the map cache.</param>
/// <param name="Labels">Class of each image.</param>
/// <param name="Names">File of each image.</param>
public sealed record StageExamples(string Source, int[] Rows, string[] Labels, string[] Names)
{
    /// <summary>Images.</summary>
    public int Count => Rows.Length;

    /// <summary>
    /// The labelled images of a <c>class/image</c> folder, their maps computed into <paramref name="cache"/> where
    /// missing; files that cannot be decoded are left out (and counted in the progress).
    /// </summary>
    public static async Task<StageExamples> FromFolderAsync(string folder, StageMapCache cache, IFeatureExtractor trunk,
        IProgress<ProgressUpdate>? progress, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(folder)) throw new LookalikeException($"'{folder}' is not a folder of class/image files.");
        var scanned = ImageFiles.Scan(folder);
        var labelled = scanned.Images.Select(f => (File: f, Label: ImageFiles.LabelFromFolder(scanned.Root, f)))
            .Where(f => f.Label is not null).ToList();
        if (labelled.Select(f => f.Label).Distinct().Count() < 2)
            throw new LookalikeException($"'{folder}' needs images in at least two class folders (class/image) to fine-tune a stage.");
        var rows = await cache.FillAsync([.. labelled.Select(f => f.File)], trunk, progress, cancellationToken);
        var kept = Enumerable.Range(0, labelled.Count).Where(i => rows[i] >= 0).ToList();
        if (kept.Count < labelled.Count)
            progress?.Report(new ProgressUpdate("Skipped unreadable files", labelled.Count - kept.Count, labelled.Count - kept.Count));
        return new StageExamples(folder, [.. kept.Select(i => rows[i])], [.. kept.Select(i => labelled[i].Label!)],
            [.. kept.Select(i => labelled[i].File)]);
    }

    /// <summary>A stratified split as <see cref="LabeledVectors.SplitStratified"/> makes it.</summary>
    public (StageExamples Train, StageExamples Validation) SplitStratified(double share, int seed)
    {
        var (train, valid) = LabeledVectors.StratifiedRows(Labels, share, seed);
        if (valid.Count == 0) throw new LookalikeException($"'{Source}' is too small to hold out validation images; give --val.");
        return (Take(train, $"{Source} (train split)"), Take(valid, $"{Source} (validation split)"));
    }

    private StageExamples Take(List<int> rows, string source) =>
        new(source, [.. rows.Select(r => Rows[r])], [.. rows.Select(r => Labels[r])], [.. rows.Select(r => Names[r])]);
}
