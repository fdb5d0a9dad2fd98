using System.Diagnostics;
using System.Globalization;
using Lookalike.Collections;
using Lookalike.Duplicates;
using Lookalike.Evaluation.Datasets;
using Lookalike.Evaluation.Metrics;
using Lookalike.Features;
using Lookalike.Indexes;
using Lookalike.Indexing;
using Lookalike.Onnx;

namespace Lookalike.Benchmarks;

/// <summary>
/// How the near-duplicate threshold was chosen: the reference photos and some CIFAR-10 training images, each with
/// re-encoded and resized copies (true duplicates), mixed into distinct CIFAR-10 test images; pairs found against
/// the threshold, and the groups <see cref="DuplicateFinder"/> reports at several thresholds, all on real ResNet50 features.
/// </summary>
public static class DuplicateMeasurements
{
    private static readonly float[] PairThresholds = [0.80f, 0.85f, 0.88f, 0.90f, 0.92f, 0.93f, 0.94f, 0.95f, 0.96f, 0.97f, 0.98f, 0.99f];

    private static readonly float[] GroupThresholds = [0.85f, 0.90f, 0.93f, 0.95f, 0.97f];

    public static async Task RunAsync(string shared, int distinct, int plantedCifar)
    {
        string work = Path.Combine(Path.GetTempPath(), "lookalike-duplicates-" + Environment.ProcessId);
        try
        {
            var (sourceOf, changeOf) = Prepare(shared, work, distinct, plantedCifar);
            var options = OnnxFeatureExtractorOptions.ResNet50Keras(Path.Combine(shared, "models", "resnet50-keras-imagenet.onnx"));
            using var extractor = new OnnxFeatureExtractor(options);
            await using var collection = EmbeddedCollection.OpenOrCreate(Path.Combine(work, "collection"), extractor.Metadata.ToModelReference(),
                DistanceMetric.Cosine, HnswOptions.DefaultSpec);
            var indexing = await new FolderIndexer(collection, extractor).IndexAsync(Path.Combine(work, "images"));
            await collection.CommitAsync();
            var (images, vectors) = collection.ReadAll();
            int sources = sourceOf.Values.Where(s => s is not null).Distinct().Count();
            Console.WriteLine($"{images.Count} images ({indexing.Added} added in {indexing.Elapsed.TotalSeconds:F0} s): {distinct} distinct CIFAR-10 test images, " +
                $"{sources} planted sources × (original + {PlantedDuplicates.Changes.Count} copies: {string.Join(", ", PlantedDuplicates.Changes.Select(c => c.Change))}).");
            Console.WriteLine();
            Console.WriteLine("| threshold | true pairs found | recall | false pairs found | pair precision |");
            Console.WriteLine("|---:|---:|---:|---:|---:|");
            var rowSources = images.Select(i => sourceOf.GetValueOrDefault(i.Path)).ToList();
            foreach (var p in DuplicateCurve.Pairs(vectors, rowSources, PairThresholds))
                Console.WriteLine($"| {p.Threshold:F2} | {p.TruePairsFound} / {p.TruePairs} | {p.Recall:F3} | {p.FalsePairsFound} | {p.Precision:F3} |");
            Console.WriteLine();
            PrintCopySimilarities(images, vectors, sourceOf, changeOf);
            PrintFalsePairs(images, vectors, sourceOf, 0.88f);
            Console.WriteLine();
            Console.WriteLine($"| threshold | near groups found | pure | planted groups recovered exactly | group precision | group recall | seconds ({HnswOptions.DefaultSpec}) |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
            foreach (float threshold in GroupThresholds)
            {
                var clock = Stopwatch.StartNew();
                var report = await DuplicateFinder.FindAsync(collection, new DuplicateOptions(threshold));
                var score = DuplicateCurve.Score(report, sourceOf);
                Console.WriteLine($"| {threshold:F2} | {score.Found} | {score.Pure} | {score.Recovered} / {score.Planted} | {score.Precision:F3} | {score.Recall:F3} | {clock.Elapsed.TotalSeconds:F2} |");
            }
        }
        finally
        {
            if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Cosine similarity of each copy to its original, per change and kind of source (min / median / max).</summary>
    private static void PrintCopySimilarities(IReadOnlyList<ImageRecord> images, float[] vectors, Dictionary<string, string?> sourceOf,
        Dictionary<string, string> changeOf)
    {
        int d = vectors.Length / images.Count;
        var rowOf = images.Select((image, row) => (image.Path, row)).ToDictionary(p => p.Path, p => p.row);
        var originals = changeOf.Where(c => c.Value == PlantedDuplicates.Original).ToDictionary(c => sourceOf[c.Key]!, c => rowOf[c.Key]);
        Console.WriteLine("| change | source images | similarity to the original: min | median | max |");
        Console.WriteLine("|---|---|---:|---:|---:|");
        foreach (var group in changeOf.Where(c => c.Value != PlantedDuplicates.Original && rowOf.ContainsKey(c.Key))
            .GroupBy(c => (c.Value, Kind: sourceOf[c.Key]!.Contains("cifar10", StringComparison.Ordinal) ? "CIFAR-10 32×32" : "photos")).OrderBy(g => g.Key.Kind).ThenBy(g => g.Key.Value))
        {
            var values = group.Select(c => Distances.CosineSimilarity(vectors.AsSpan(rowOf[c.Key] * d, d), vectors.AsSpan(originals[sourceOf[c.Key]!] * d, d)))
                .Order().ToArray();
            Console.WriteLine($"| {group.Key.Value} | {group.Key.Kind} ({values.Length}) | {values[0]:F3} | {values[values.Length / 2]:F3} | {values[^1]:F3} |");
        }
    }

    /// <summary>The pairs of different sources at or above <paramref name="threshold"/>, by path.</summary>
    private static void PrintFalsePairs(IReadOnlyList<ImageRecord> images, float[] vectors, Dictionary<string, string?> sourceOf, float threshold)
    {
        int d = vectors.Length / images.Count;
        for (int i = 0; i < images.Count; i++)
        {
            for (int j = i + 1; j < images.Count; j++)
            {
                var (a, b) = (sourceOf.GetValueOrDefault(images[i].Path), sourceOf.GetValueOrDefault(images[j].Path));
                if (a is not null && a == b) continue;
                float similarity = Distances.CosineSimilarity(vectors.AsSpan(i * d, d), vectors.AsSpan(j * d, d));
                if (similarity >= threshold) Console.WriteLine($"false pair at {similarity:F3}: {images[i].Path} {images[j].Path}");
            }
        }
    }

    /// <summary>Writes the image folder; returns each file's source (null for the distinct images) and each planted file's change.</summary>
    private static (Dictionary<string, string?> SourceOf, Dictionary<string, string> ChangeOf) Prepare(string shared, string work, int distinct, int plantedCifar)
    {
        string images = Path.Combine(work, "images");
        var sourceOf = new Dictionary<string, string?>(StringComparer.Ordinal);
        var changeOf = new Dictionary<string, string>(StringComparer.Ordinal);
        string test = Path.Combine(shared, "datasets", "cifar10", "test");
        foreach (string file in EvenSample(test, distinct))
        {
            string target = Path.Combine(images, "distinct", Path.GetFileName(Path.GetDirectoryName(file)!), Path.GetFileName(file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
            sourceOf[Path.GetFullPath(target)] = null;
        }
        var photos = Directory.GetFiles(Path.Combine(shared, "images")).Where(f => f.EndsWith(".png", StringComparison.Ordinal) || f.EndsWith(".jpg", StringComparison.Ordinal));
        var planted = photos.Concat(EvenSample(Path.Combine(shared, "datasets", "cifar10", "train"), plantedCifar)).Order(StringComparer.Ordinal).ToList();
        string plantedFolder = Path.Combine(images, "planted");
        foreach (var copy in PlantedDuplicates.Write(planted, plantedFolder))
        {
            sourceOf[Path.GetFullPath(copy.Path)] = copy.Source;
            changeOf[Path.GetFullPath(copy.Path)] = copy.Change;
        }
        return (sourceOf, changeOf);
    }

    /// <summary>The first count/classes files of each class folder, in name order.</summary>
    private static IEnumerable<string> EvenSample(string split, int count)
    {
        var classes = Directory.GetDirectories(split).Order(StringComparer.Ordinal).ToArray();
        int perClass = (count + classes.Length - 1) / classes.Length;
        return classes.SelectMany(c => Directory.GetFiles(c).Order(StringComparer.Ordinal).Take(perClass)).Take(count);
    }
}
