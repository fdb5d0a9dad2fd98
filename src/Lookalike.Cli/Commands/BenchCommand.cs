using System.CommandLine;
using Lookalike.Cli.Output;
using Lookalike.Errors;
using Lookalike.Onnx.Models;
using Lookalike.Sessions.Benchmarks;

namespace Lookalike.Cli.Commands;

/// <summary><c>lookalike bench backbones</c>: compare backbones' speed and retrieval quality in one run.</summary>
internal static class BenchCommand
{
    public static Command Create(CliContext context) => new("bench", "Measure Lookalike on this machine.") { Backbones(context) };

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
            string folder = parse.GetValue(cifar) ?? (IO.SharedDataFolder.Find() is { } shared ? Path.Combine(shared, "datasets", "cifar10")
                : throw new LookalikeException("No shared data folder with CIFAR-10 was found; give --cifar10 FOLDER (train/ and test/ of class/image)."));
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
            string table = report.ToMarkdown();
            context.Console.Profile.Out.Writer.Write(table);
            if (parse.GetValue(json) is { } jsonPath) report.WriteJson(jsonPath);
            if (parse.GetValue(markdown) is { } markdownPath) IO.AtomicFile.Write(markdownPath, s => s.Write(System.Text.Encoding.UTF8.GetBytes(table)));
            return 0;
        });
        return command;
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
