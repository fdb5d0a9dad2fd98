using Lookalike.Evaluation;
using Lookalike.Features;
using Lookalike.Indexes;
using Lookalike.Indexing;
using Lookalike.Progress;

namespace Lookalike.Sessions.Benchmarks;

/// <summary>What the benchmarks share: fixed subsets of image datasets, exact retrieval quality, progress under a stage name.</summary>
internal static class BenchmarkData
{
    /// <summary>A copy of images <paramref name="skip"/>.. <paramref name="skip"/>+<paramref name="perClass"/> of each class folder (name order).</summary>
    public static string Subset(string source, int skip, int perClass, string work, string name)
    {
        string target = Path.Combine(work, $"{name}-{skip}-{perClass}");
        string done = Path.Combine(target, ".complete");
        if (File.Exists(done)) return target;
        if (!Directory.Exists(source)) throw new Errors.LookalikeException($"Dataset folder '{source}' does not exist.");
        foreach (string classFolder in Directory.GetDirectories(source).Order(StringComparer.Ordinal))
        {
            string destination = Path.Combine(target, Path.GetFileName(classFolder));
            Directory.CreateDirectory(destination);
            foreach (string file in Directory.GetFiles(classFolder).Where(f => ImageFiles.Extensions.Contains(Path.GetExtension(f)))
                .Order(StringComparer.Ordinal).Skip(skip).Take(perClass))
                File.Copy(file, Path.Combine(destination, Path.GetFileName(file)), overwrite: true);
        }
        File.WriteAllText(done, "");
        return target;
    }

    /// <summary>mAP@10 and mP@10 of exact cosine search of <paramref name="queries"/> in <paramref name="database"/>.</summary>
    public static DatasetQuality Quality(string dataset, LabeledVectors database, LabeledVectors queries)
    {
        var report = Evaluator.Run(database, queries, new EvaluationOptions([Flat.TypeName], DistanceMetric.Cosine));
        return new DatasetQuality(dataset, database.Count, queries.Count, report.Indexes[0].Overall.MapAtK, report.Indexes[0].Overall.PrecisionAt10);
    }

    /// <summary><paramref name="progress"/> with every report renamed <paramref name="stage"/>.</summary>
    public static IProgress<ProgressUpdate>? Stage(IProgress<ProgressUpdate>? progress, string stage) =>
        RenamedProgress.Of(progress, stage);
}
