using System.CommandLine;
using Lookalike.Cli.Output;
using Lookalike.Errors;
using Lookalike.Onnx.Models;
using Lookalike.Sessions.Benchmarks;

namespace Lookalike.Cli.Commands;

/// <summary><c>lookalike bench backbones|finetune</c>: compare backbones' speed and retrieval quality, or what fine-tuning conv5 buys, in one run.</summary>
internal static class BenchCommand
{
    public static Command Create(CliContext context) => new("bench", "Measure Lookalike on this machine.") { Backbones(context), FineTune(context) };

    private static Command Backbones(CliContext context)
    {
        var models = new Option<string[]>("--model", "-m")
        {
            Description = $"Backbone or ONNX file to compare (repeat; default: {Onnx.Models.Backbones.Names}); the first is the speed baseline.",
        };
        var cifar = new Option<string?>("--cifar10") { Description = "CIFAR-10 as images (train/ and test/, class/image; default: the shared data folder's)." };
        var database = PerClass("--db-per-class", "CIFAR-10 training images per class in the database", 1000);
        var queries = PerClass("--queries-per-class", "CIFAR-10 test images per class as queries", 100);
        var fashionDatabase = PerClass("--fashion-db-per-class", "Fashion-MNIST images per class in its database (0: leave it out)", 500, minimum: 0);
        var fashionQueries = PerClass("--fashion-queries-per-class", "Fashion-MNIST images per class as its queries", 50);
        var device = CommonOptions.Device();
        var settingsModel = new Option<string?>("--settings-model")
        {
            Description = "Model whose ONNX Runtime settings (threads, spinning, optimisation level, QDQ fusion, batching) are compared " +
                "(default: the first int8 model compared, if any).",
        };
        var json = new Option<string?>("--json") { Description = "Also write the report to this JSON file." };
        var markdown = new Option<string?>("--markdown") { Description = "Also write the table to this Markdown file." };
        var command = new Command("backbones", "Per backbone: feature dimension, memory per vector, images/s (network alone and indexing a folder) and exact " +
            "cosine mAP@10 and mP@10 on CIFAR-10 (train database, test queries) and Fashion-MNIST images, measured in one run.")
        {
            models, cifar, database, queries, fashionDatabase, fashionQueries, device, settingsModel, json, markdown,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string folder = CifarFolder(parse.GetValue(cifar));
            string[] names = parse.GetValue(models) is { Length: > 0 } given ? given : [.. Onnx.Models.Backbones.All.Select(b => b.Name)];
            var options = new BackboneBenchmarkOptions
            {
                Models = names,
                SettingsModel = parse.GetValue(settingsModel),
                Cifar10 = folder,
                DatabasePerClass = parse.GetValue(database),
                QueriesPerClass = parse.GetValue(queries),
                FashionDatabasePerClass = parse.GetValue(fashionDatabase),
                FashionQueriesPerClass = parse.GetValue(fashionQueries),
                Device = Onnx.ExecutionDevice.Parse(parse.GetValue(device)),
                WorkDirectory = Path.Combine(ModelLocator.DataDirectory, "cache", "bench-backbones"),
                CacheDirectory = Path.Combine(ModelLocator.DataDirectory, "cache"),
            };
            var report = await ConsoleProgress.RunAsync(context, "Benchmarking", progress => BackboneBenchmark.RunAsync(options, progress, cancellationToken));
            return Write(context, report.ToMarkdown(), parse.GetValue(markdown), parse.GetValue(json), report.WriteJson);
        });
        return command;
    }

    private static Command FineTune(CliContext context)
    {
        var model = CommonOptions.Model();
        var cifar = new Option<string?>("--cifar10") { Description = "CIFAR-10 as images (train/ and test/, class/image; default: the shared data folder's)." };
        var database = PerClass("--db-per-class", "CIFAR-10 training images per class (training set and database; 0: leave it out)", 1000, minimum: 0);
        var queries = PerClass("--queries-per-class", "CIFAR-10 test images per class as queries", 100);
        var fashionDatabase = PerClass("--fashion-db-per-class", "Fashion-MNIST training images per class (0: leave it out)", 1000, minimum: 0);
        var fashionQueries = PerClass("--fashion-queries-per-class", "Fashion-MNIST test images per class as queries", 100);
        var epochs = PerClass("--epochs", "joint epochs of stage and head (their learning rates fall to 0 by the last)", 4);
        var warmup = PerClass("--warmup-head-epochs", "most epochs of the head alone first (early-stopped, as the head of (b))", 200);
        var patience = PerClass("--patience", "joint epochs without a better validation loss before stopping (default: the whole schedule runs, the best epoch is kept)", 4);
        var batch = PerClass("--stage-batch", "images per joint step", 32, minimum: 2);
        var backboneRate = new Option<double>("--backbone-lr") { Description = "The stage's learning rate (a fraction of each output channel's weight size).", DefaultValueFactory = _ => 1e-3 };
        var absoluteSteps = new Option<bool>("--absolute-backbone-steps") { Description = "One absolute learning rate for all the stage's weights, whatever their size." };
        var jointRate = new Option<double?>("--joint-lr") { Description = "The head's learning rate while the stage trains too (default: a tenth of the head's, 1e-4)." };
        var batchStatistics = CommonOptions.BatchStatistics();
        var augment = new Option<string?>("--augment") { Description = "Also train (c) on altered copies of the training images: flip, crop or flip,crop (their stage input maps are cached; each joint step takes an image or one of its copies at random); the warm-up head (b′) is trained on their ImageNet features too." };
        var json = new Option<string?>("--json") { Description = "Also write the report to this JSON file." };
        var markdown = new Option<string?>("--markdown") { Description = "Also write the tables to this Markdown file." };
        var command = new Command("finetune", "Exact cosine mAP@10 and mP@10 of (a) ImageNet features, (b) a dense head on them, (c) conv5 fine-tuned with " +
            "the head, on CIFAR-10 and Fashion-MNIST images, with the training's images/s and the GEMM kernel's GFLOP/s against the peak, in one run.")
        {
            model, cifar, database, queries, fashionDatabase, fashionQueries, epochs, warmup, patience, batch, backboneRate, absoluteSteps, jointRate, batchStatistics, augment, json, markdown,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var defaults = new FineTuneBenchmarkOptions { Cifar10 = "", WorkDirectory = "", CacheDirectory = "" };
            var options = defaults with
            {
                Model = parse.GetValue(model) ?? defaults.Model,
                Cifar10 = parse.GetValue(database) > 0 ? CifarFolder(parse.GetValue(cifar)) : "",
                DatabasePerClass = parse.GetValue(database),
                QueriesPerClass = parse.GetValue(queries),
                FashionDatabasePerClass = parse.GetValue(fashionDatabase),
                FashionQueriesPerClass = parse.GetValue(fashionQueries),
                Stage = defaults.Stage with
                {
                    Epochs = parse.GetValue(epochs),
                    WarmupHeadEpochs = parse.GetValue(warmup),
                    Patience = parse.GetValue(patience),
                    BatchSize = parse.GetValue(batch),
                    BackboneLearningRate = parse.GetValue(backboneRate),
                    RelativeSteps = !parse.GetValue(absoluteSteps),
                    JointHeadLearningRate = parse.GetValue(jointRate),
                    BatchStatistics = parse.GetValue(batchStatistics),
                },
                Augmentations = Onnx.Imaging.ImageAugmentations.ParseList(parse.GetValue(augment)),
                WorkDirectory = Path.Combine(ModelLocator.DataDirectory, "cache", "bench-finetune"),
                CacheDirectory = Path.Combine(ModelLocator.DataDirectory, "cache"),
            };
            var (markdownPath, jsonPath) = (parse.GetValue(markdown), parse.GetValue(json));
            var report = await ConsoleProgress.RunAsync(context, "Benchmarking", progress => FineTuneBenchmark.RunAsync(options, progress,
                soFar => WriteFiles(soFar.ToMarkdown(), markdownPath, jsonPath, soFar.WriteJson), cancellationToken));
            return Write(context, report.ToMarkdown(), markdownPath, jsonPath, report.WriteJson);
        });
        return command;
    }

    private static string CifarFolder(string? given) => given ?? (IO.SharedDataFolder.Find() is { } shared ? Path.Combine(shared, "datasets", "cifar10")
        : throw new LookalikeException("No shared data folder with CIFAR-10 was found; give --cifar10 FOLDER (train/ and test/ of class/image)."));

    /// <summary>Prints the tables and writes them (and the JSON report) where asked; the exit code.</summary>
    private static int Write(CliContext context, string table, string? markdownPath, string? jsonPath, Action<string> writeJson)
    {
        context.Console.Profile.Out.Writer.Write(table);
        WriteFiles(table, markdownPath, jsonPath, writeJson);
        return 0;
    }

    /// <summary>Writes the tables and the JSON report where asked.</summary>
    private static void WriteFiles(string table, string? markdownPath, string? jsonPath, Action<string> writeJson)
    {
        if (markdownPath is not null) IO.AtomicFile.Write(markdownPath, s => s.Write(System.Text.Encoding.UTF8.GetBytes(table)));
        if (jsonPath is not null) writeJson(jsonPath);
    }

    private static Option<int> PerClass(string name, string description, int value, int minimum = 1)
    {
        var option = new Option<int>(name) { Description = $"{description} (default {value}).", DefaultValueFactory = _ => value };
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < minimum) r.AddError($"{name} must be at least {minimum}.");
        });
        return option;
    }
}
