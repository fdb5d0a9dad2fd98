using System.Diagnostics;
using System.Globalization;
using Lookalike.Evaluation.Datasets;
using Lookalike.Features;
using Lookalike.Onnx;
using Lookalike.Onnx.Imaging;
using Lookalike.Onnx.Models;
using Lookalike.Progress;
using Lookalike.Training.Convolutions;
using Lookalike.Training.Heads;
using Lookalike.Training.Stages;

namespace Lookalike.Sessions.Benchmarks;

/// <summary>What <see cref="FineTuneBenchmark"/> trains and measures.</summary>
public sealed record FineTuneBenchmarkOptions
{
    /// <summary>The parent backbone (name or ONNX file).</summary>
    public string Model { get; init; } = "resnet50";

    /// <summary>CIFAR-10 as images: a folder with <c>train/class/image</c> and <c>test/class/image</c>.</summary>
    public required string Cifar10 { get; init; }

    /// <summary>Training (and database) images per CIFAR-10 class from its train split, or 0 to leave it out.</summary>
    public int DatabasePerClass { get; init; } = 1000;

    /// <summary>Query images per CIFAR-10 class, from test.</summary>
    public int QueriesPerClass { get; init; } = 100;

    /// <summary>Training (and database) images per Fashion-MNIST class from its train split, or 0 to leave it out.</summary>
    public int FashionDatabasePerClass { get; init; } = 1000;

    /// <summary>Query images per Fashion-MNIST class, from its test split.</summary>
    public int FashionQueriesPerClass { get; init; } = 100;

    /// <summary>The schedule of (c); its head (and that head's training) is also (b).</summary>
    public StageTrainingOptions Stage { get; init; } = new(new HeadTrainingOptions(
        "dropout(0.5),dense(256,relu),dropout(0.5),dense(128,relu),dropout(0.5),dense(64,relu)", LearningRate: 1e-3));

    /// <summary>Altered copies of the training images (c) also trains on, each joint step taking an image or one of its copies at random; its warm-up head (b′) is trained on their ImageNet features too.</summary>
    public IReadOnlyList<ImageAugmentation> Augmentations { get; init; } = [];

    /// <summary>Where the subsets and fine-tuned models go.</summary>
    public required string WorkDirectory { get; init; }

    /// <summary>Feature and map caches.</summary>
    public required string CacheDirectory { get; init; }
}

/// <summary>Retrieval quality of the three kinds of features on one dataset, and what training the stage cost.</summary>
/// <param name="Dataset">Its name.</param>
/// <param name="ImageNet">(a) the parent's features.</param>
/// <param name="Head">(b) the dense head on them.</param>
/// <param name="WarmupHead">(b′) the warm-up's head: the same head trained on the stage's original features (the parent's, computed from the cached maps) of the training images and their altered copies; the joint phase starts from it.</param>
/// <param name="Stage">(c) the fine-tuned stage's features alone.</param>
/// <param name="StageAndHead">(c) the fine-tuned stage and the head trained with it.</param>
/// <param name="Warmup">The warm-up's best epoch (the head alone on the stage's original features): what a joint epoch must beat.</param>
/// <param name="WarmupEpochs">Epochs the warm-up ran.</param>
/// <param name="Epochs">The joint epochs with their speed.</param>
/// <param name="BestEpoch">The joint epoch kept.</param>
/// <param name="Seconds">Wall time of the fine-tuning (maps, warm-up, joint epochs, export).</param>
/// <param name="CopiedImages">Altered copies of training images trained on (0 without augmentation).</param>
public sealed record FineTuneResult(string Dataset, DatasetQuality ImageNet, DatasetQuality Head, DatasetQuality WarmupHead, DatasetQuality Stage,
    DatasetQuality StageAndHead, EpochRecord Warmup, int WarmupEpochs, IReadOnlyList<StageEpochRecord> Epochs, int BestEpoch, double Seconds, int CopiedImages)
{
    /// <summary>The better of the two dense heads on ImageNet features, (b) and (b′): what (c) is measured against.</summary>
    public DatasetQuality BestHead => WarmupHead.MapAt10 > Head.MapAt10 ? WarmupHead : Head;
}

/// <summary>A whole run.</summary>
/// <param name="Processors">Logical processors.</param>
/// <param name="GemmGflops">The kernel alone on a 3×3 convolution's product of conv5 (512 × 4608 by 4608 × 1568).</param>
/// <param name="PeakGflops">2 FMA units × 8 lanes × 2 operations per cycle per core at the reported clock, when known.</param>
/// <param name="Results">Per dataset.</param>
/// <param name="BatchStatistics">Whether the stage's batch norms trained with each batch's statistics (false: frozen running statistics).</param>
public sealed record FineTuneBenchmarkReport(int Processors, double GemmGflops, double? PeakGflops, IReadOnlyList<FineTuneResult> Results,
    bool BatchStatistics = false)
{
    /// <summary>Writes the report as JSON (atomically).</summary>
    public void WriteJson(string path) => IO.AtomicFile.Write(path, stream => System.Text.Json.JsonSerializer.Serialize(stream, this, IO.ReportJson.Options));

    /// <summary>The tables.</summary>
    public string ToMarkdown()
    {
        var c = CultureInfo.InvariantCulture;
        var text = new System.Text.StringBuilder();
        string norms = StageTrainingOptions.DescribeBatchNorms(BatchStatistics);
        text.AppendLine(c, $"Fine-tuning conv5 ({Processors} logical processors; batch norms: {norms}); exact cosine search, database = the training images.");
        text.AppendLine();
        text.AppendLine("| dataset | database | copies | queries | (a) ImageNet mAP@10 | mP@10 | (b) head mAP@10 | mP@10 | (b′) warm-up head mAP@10 | mP@10 | " +
            "(c) conv5 mAP@10 | mP@10 | (c) conv5 + head mAP@10 | mP@10 | (c) − best (b) mAP@10 |");
        text.AppendLine("|" + string.Concat(Enumerable.Repeat(" --- |", 15)));
        foreach (var r in Results)
        {
            text.AppendLine(c, $"| {r.Dataset} | {r.ImageNet.Database} | {r.CopiedImages} | {r.ImageNet.Queries} | {r.ImageNet.MapAt10:F4} | {r.ImageNet.PrecisionAt10:F4} | " +
                $"{r.Head.MapAt10:F4} | {r.Head.PrecisionAt10:F4} | {r.WarmupHead.MapAt10:F4} | {r.WarmupHead.PrecisionAt10:F4} | {r.Stage.MapAt10:F4} | " +
                $"{r.Stage.PrecisionAt10:F4} | {r.StageAndHead.MapAt10:F4} | {r.StageAndHead.PrecisionAt10:F4} | {r.StageAndHead.MapAt10 - r.BestHead.MapAt10:+0.0000;-0.0000} |");
        }
        text.AppendLine();
        string peak = PeakGflops is { } p ? string.Create(c, $" of a {p:F0} GFLOP/s peak ({GemmGflops / p:P0})") : "";
        text.AppendLine(string.Create(c, $"GEMM kernel: {GemmGflops:F1} GFLOP/s{peak}"));
        text.AppendLine();
        text.AppendLine("| dataset | joint epoch | train loss | val loss | val accuracy | images/s | GFLOP/s | seconds |");
        text.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var r in Results)
        {
            text.AppendLine(c, $"| {r.Dataset} | warm-up: head alone, best of {r.WarmupEpochs} epochs ({r.Warmup.Epoch}){(r.BestEpoch == 0 ? " (kept)" : "")} | " +
                $"{r.Warmup.TrainLoss:F4} | {r.Warmup.ValidationLoss:F4} | {r.Warmup.ValidationAccuracy:F3} | – | – | – |");
            foreach (var e in r.Epochs)
            {
                text.AppendLine(c, $"| {r.Dataset} | {e.Epoch}{(e.Epoch == r.BestEpoch ? " (kept)" : "")} | {e.TrainLoss:F4} | {e.ValidationLoss:F4} | " +
                    $"{e.ValidationAccuracy:F3} | {e.ImagesPerSecond:F1} | {e.GflopsPerSecond:F1} | {e.Seconds:F0} |");
            }
        }
        return text.ToString();
    }
}

/// <summary>
/// Measures in one run what fine-tuning conv5 buys: exact retrieval quality of (a) the parent's
/// ImageNet features, (b) the best dense head on them, (c) the fine-tuned stage (alone and with its
/// head), on CIFAR-10 and Fashion-MNIST images, with the training's speed and the kernel's GFLOP/s.
/// </summary>
public static class FineTuneBenchmark
{
    /// <param name="options">What to train and measure.</param>
    /// <param name="progress">Progress of each stage.</param>
    /// <param name="completed">Called with the report so far after each dataset (a long run that is stopped keeps what it measured).</param>
    /// <param name="cancellationToken">Stops the run.</param>
    /// <exception cref="Errors.LookalikeException">when the model or a dataset is missing.</exception>
    public static async Task<FineTuneBenchmarkReport> RunAsync(FineTuneBenchmarkOptions options, IProgress<ProgressUpdate>? progress = null,
        Action<FineTuneBenchmarkReport>? completed = null, CancellationToken cancellationToken = default)
    {
        if (options.DatabasePerClass <= 0 && options.FashionDatabasePerClass <= 0)
            throw new Errors.LookalikeException("Both datasets are left out (0 training images per class for CIFAR-10 and Fashion-MNIST): nothing to measure.");
        string model = ModelLocator.Resolve(options.Model);
        var datasets = new List<(string Name, string Database, string Queries)>();
        if (options.DatabasePerClass > 0)
        {
            datasets.Add(("CIFAR-10", BenchmarkData.Subset(Path.Combine(options.Cifar10, "train"), 0, options.DatabasePerClass, options.WorkDirectory, "cifar10-train"),
                BenchmarkData.Subset(Path.Combine(options.Cifar10, "test"), 0, options.QueriesPerClass, options.WorkDirectory, "cifar10-queries")));
        }
        if (options.FashionDatabasePerClass > 0)
        {
            string train = FashionMnist.ExportImages("train", Path.Combine(options.CacheDirectory, "fashion-mnist-images", "train"));
            string test = FashionMnist.ExportImages("test", Path.Combine(options.CacheDirectory, "fashion-mnist-images", "test"));
            datasets.Add(("Fashion-MNIST", BenchmarkData.Subset(train, 0, options.FashionDatabasePerClass, options.WorkDirectory, "fashion-train"),
                BenchmarkData.Subset(test, 0, options.FashionQueriesPerClass, options.WorkDirectory, "fashion-queries")));
        }
        var results = new List<FineTuneResult>();
        var (processors, gemm, peak) = (Environment.ProcessorCount, GemmGflops(), PeakGflops());
        foreach (var (name, databaseFolder, queriesFolder) in datasets)
        {
            var (database, queries) = await FeaturesAsync(model, databaseFolder, queriesFolder, options, progress, $"{name}: ImageNet features", cancellationToken);
            var (train, validation) = database.SplitStratified(0.1, options.Stage.Head.Seed);
            var head = HeadTrainer.Train(train, validation, options.Stage.Head, BenchmarkData.Stage(progress, $"{name}: head")).Head;
            var clock = Stopwatch.StartNew();
            var outcome = await StageFineTuning.RunAsync(new StageFineTuningRequest(model, databaseFolder, null,
                Path.Combine(options.WorkDirectory, $"finetuned-{name}"), options.CacheDirectory, options.Stage,
                ExecutionDevice.Cpu, Augmentations: options.Augmentations), RenamedProgress.Prefixed(progress, $"{name}: fine-tuning conv5"), cancellationToken);
            double seconds = clock.Elapsed.TotalSeconds;
            var (tunedDatabase, tunedQueries) = await FeaturesAsync(outcome.ModelPath, databaseFolder, queriesFolder, options, progress,
                $"{name}: fine-tuned features", cancellationToken);
            results.Add(new FineTuneResult(name, BenchmarkData.Quality(name, database, queries),
                BenchmarkData.Quality(name, head.Embed(database), head.Embed(queries)),
                BenchmarkData.Quality(name, outcome.Result.Warmup.Head.Embed(database), outcome.Result.Warmup.Head.Embed(queries)),
                BenchmarkData.Quality(name, tunedDatabase, tunedQueries),
                BenchmarkData.Quality(name, outcome.Result.Head.Embed(tunedDatabase), outcome.Result.Head.Embed(tunedQueries)),
                outcome.Result.Warmup.History[outcome.Result.Warmup.BestEpoch - 1], outcome.Result.Warmup.History.Count,
                outcome.Result.History, outcome.Result.BestEpoch, seconds, outcome.CopiedImages));
            completed?.Invoke(new FineTuneBenchmarkReport(processors, gemm, peak, [.. results], options.Stage.BatchStatistics));
        }
        return new FineTuneBenchmarkReport(processors, gemm, peak, results, options.Stage.BatchStatistics);
    }

    private static async Task<(LabeledVectors Database, LabeledVectors Queries)> FeaturesAsync(string model, string databaseFolder, string queriesFolder,
        FineTuneBenchmarkOptions options, IProgress<ProgressUpdate>? progress, string stage, CancellationToken cancellationToken)
    {
        using var extractor = new OnnxFeatureExtractor(OnnxFeatureExtractorOptions.ForModel(model));
        var loader = new DatasetLoader(() => extractor, options.CacheDirectory);
        var database = await loader.LoadAsync(databaseFolder, BenchmarkData.Stage(progress, $"{stage} (database)"), cancellationToken);
        var queries = await loader.LoadAsync(queriesFolder, BenchmarkData.Stage(progress, $"{stage} (queries)"), cancellationToken);
        return (database, queries);
    }

    /// <summary>GFLOP/s of <see cref="Gemm"/> on the product of conv5's 3×3 convolutions for a batch of 32 (best of three).</summary>
    private static double GemmGflops()
    {
        const int m = 512, k = 4608, n = 1568;
        var random = new Random(1);
        float[] a = [.. Enumerable.Range(0, m * k).Select(_ => (float)random.NextDouble())];
        float[] b = [.. Enumerable.Range(0, k * n).Select(_ => (float)random.NextDouble())];
        var c = new float[m * n];
        double best = double.MaxValue;
        for (int i = 0; i < 4; i++)
        {
            var clock = Stopwatch.StartNew();
            Gemm.Multiply(a, b, c, m, k, n);
            if (i > 0) best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return 2.0 * m * k * n / best / 1e9;
    }

    /// <summary>Cores × 32 single-precision operations per cycle (two 8-lane FMA units) × the clock /proc/cpuinfo reports, with AVX2 + FMA.</summary>
    private static double? PeakGflops()
    {
        if (!System.Runtime.Intrinsics.X86.Fma.IsSupported || !File.Exists("/proc/cpuinfo")) return null;
        var megahertz = File.ReadLines("/proc/cpuinfo").Where(l => l.StartsWith("cpu MHz", StringComparison.Ordinal))
            .Select(l => double.TryParse(l[(l.IndexOf(':') + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : 0)
            .Where(v => v > 0).ToList();
        return megahertz.Count == 0 ? null : Environment.ProcessorCount * 32 * megahertz.Max() / 1000;
    }
}
