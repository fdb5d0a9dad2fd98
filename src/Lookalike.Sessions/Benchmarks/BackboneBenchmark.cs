using Lookalike.Collections;
using Lookalike.Evaluation;
using Lookalike.Evaluation.Datasets;
using Lookalike.Features;
using Lookalike.Indexes;
using Lookalike.Indexing;
using Lookalike.Onnx;
using Lookalike.Onnx.Models;
using Lookalike.Progress;

namespace Lookalike.Sessions.Benchmarks;

/// <summary>
/// Compares backbones in one run: images/s of the network alone and of indexing a folder, and exact
/// retrieval quality (mAP@10, mP@10, cosine) on CIFAR-10 (train images as the database, test images as
/// queries) and on Fashion-MNIST images (disjoint parts of its test split).
/// </summary>
public static class BackboneBenchmark
{
    /// <exception cref="Errors.LookalikeException">when a model or dataset is missing.</exception>
    public static async Task<BackboneBenchmarkReport> RunAsync(BackboneBenchmarkOptions options, IProgress<ProgressUpdate>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var models = options.Models.Select(ModelLocator.Resolve).ToList();
        var datasets = new List<(string Name, string Database, string Queries)>
        {
            ("CIFAR-10", BenchmarkData.Subset(Path.Combine(options.Cifar10, "train"), 0, options.DatabasePerClass, options.WorkDirectory, "cifar10-db"),
                BenchmarkData.Subset(Path.Combine(options.Cifar10, "test"), 0, options.QueriesPerClass, options.WorkDirectory, "cifar10-queries")),
        };
        if (options.FashionDatabasePerClass > 0)
        {
            string fashion = FashionMnist.ExportImages("test", Path.Combine(options.CacheDirectory, "fashion-mnist-images", "test"));
            datasets.Add(("Fashion-MNIST", BenchmarkData.Subset(fashion, 0, options.FashionDatabasePerClass, options.WorkDirectory, "fashion-db"),
                BenchmarkData.Subset(fashion, options.FashionDatabasePerClass, options.FashionQueriesPerClass, options.WorkDirectory, "fashion-queries")));
        }
        var speedImages = ImageFiles.Scan(datasets[0].Queries).SampleFirst(options.SpeedImages).Images.Take(options.SpeedImages).ToList();
        var results = new List<BackboneResult>();
        for (int m = 0; m < models.Count; m++)
        {
            string name = options.Models[m];
            var feed = OnnxFeatureExtractorOptions.ForModel(models[m]).OnDevice(options.Device);
            using var extractor = new OnnxFeatureExtractor(feed);
            progress?.Report(new ProgressUpdate($"{name}: speed", 0, 2));
            double inference = extractor.MeasureInference([.. speedImages.Select(p => new ImageInput(p, File.ReadAllBytes(p)))]);
            double pipeline = await IndexingSpeedAsync(extractor, speedImages, Path.Combine(options.WorkDirectory, $"speed-{m}"), cancellationToken);
            var loader = new DatasetLoader(() => extractor, options.CacheDirectory);
            var quality = new List<DatasetQuality>();
            foreach (var (dataset, databaseFolder, queriesFolder) in datasets)
            {
                var database = await loader.LoadAsync(databaseFolder, BenchmarkData.Stage(progress, $"{name}: {dataset} database"), cancellationToken);
                var queries = await loader.LoadAsync(queriesFolder, BenchmarkData.Stage(progress, $"{name}: {dataset} queries"), cancellationToken);
                quality.Add(BenchmarkData.Quality(dataset, database, queries));
            }
            results.Add(new BackboneResult(name, new FileInfo(models[m]).Length, extractor.Metadata.Dimension, extractor.Metadata.Dimension * sizeof(float),
                inference, pipeline, quality));
        }
        string? settingsModel = options.SettingsModel
            ?? options.Models.Where((_, m) => Onnx.Quantization.StaticQuantizer.DescriptionOf(models[m]) is not null).FirstOrDefault();
        var settings = settingsModel is not null && !options.Device.IsCuda
            ? CompareSettings(ModelLocator.Resolve(settingsModel), speedImages, progress)
            : null;
        return new BackboneBenchmarkReport(options.Device.ToString(), Environment.ProcessorCount, results, settingsModel, settings);
    }

    /// <summary>The ONNX Runtime settings compared on the CPU: the default first, then one change each.</summary>
    public static IReadOnlyList<(string Name, Func<OnnxFeatureExtractorOptions, OnnxFeatureExtractorOptions> Apply)> RuntimeSettings { get; } =
    [
        ("default: all optimisations, one thread per core, no spinning", o => o),
        ("threads spin while idle", o => o with { AllowSpinning = true }),
        ("one thread", o => o with { IntraOpThreads = 1 }),
        ("extended optimisations only (no layout changes)", o => o with { OptimizationLevel = Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_ENABLE_EXTENDED }),
        ("basic optimisations only (no int8 kernel fusion)", o => o with { OptimizationLevel = Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_ENABLE_BASIC }),
        ("QDQ fusion off (session.disable_quant_qdq)", o => o with { SessionSettings = new Dictionary<string, string> { ["session.disable_quant_qdq"] = "1" } }),
        ("batches of 8", o => o with { BatchSize = 8 }),
    ];

    private static List<RuntimeSettingResult> CompareSettings(string model, IReadOnlyList<string> images, IProgress<ProgressUpdate>? progress)
    {
        var inputs = images.Select(p => new ImageInput(p, File.ReadAllBytes(p))).ToList();
        var results = new List<RuntimeSettingResult>();
        foreach (var (name, apply) in RuntimeSettings)
        {
            progress?.Report(new ProgressUpdate("ONNX Runtime settings", results.Count, RuntimeSettings.Count, name));
            using var extractor = new OnnxFeatureExtractor(apply(OnnxFeatureExtractorOptions.ForModel(model) with { OptimizedModelFolder = null }));
            results.Add(new RuntimeSettingResult(name, extractor.MeasureInference(inputs)));
        }
        return results;
    }

    /// <summary>Images/s of indexing <paramref name="images"/> into a new embedded collection (read, decode, run, store, commit).</summary>
    private static async Task<double> IndexingSpeedAsync(OnnxFeatureExtractor extractor, IReadOnlyList<string> images, string folder,
        CancellationToken cancellationToken)
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        string source = Path.Combine(folder, "images", "all");
        Directory.CreateDirectory(source);
        foreach (string image in images) File.Copy(image, Path.Combine(source, Path.GetFileName(Path.GetDirectoryName(image)) + "-" + Path.GetFileName(image)));
        await using var collection = EmbeddedCollection.OpenOrCreate(Path.Combine(folder, "collection"), extractor.Metadata.ToModelReference(),
            DistanceMetric.Cosine, Flat.TypeName);
        var report = await new FolderIndexer(collection, extractor).IndexAsync(Path.Combine(folder, "images"), cancellationToken: cancellationToken);
        Directory.Delete(folder, recursive: true);
        return report.ImagesPerSecond;
    }
}
