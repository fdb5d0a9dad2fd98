using System.CommandLine;
using System.Globalization;
using Lookalike.Cli.Output;
using Lookalike.Errors;
using Lookalike.Onnx;
using Lookalike.Onnx.Models;
using Lookalike.Onnx.Quantization;
using Spectre.Console;

namespace Lookalike.Cli.Commands;

/// <summary><c>lookalike model quantize</c> and the calibration options <c>model fetch resnet50-int8</c> shares.</summary>
internal static class QuantizeOptions
{
    public static Option<string?> Calibrate(bool required, string description) =>
        new("--calibrate") { Description = description, Required = required };

    /// <summary>The calibration images: an even sample of <paramref name="folder"/>, else the default set.</summary>
    public static (IReadOnlyList<string> Images, string Source) CalibrationImages(string? folder, int count = CalibrationSet.DefaultSize)
    {
        if (folder is not null) return (CalibrationSet.FromFolder(folder, count), Path.GetFullPath(folder));
        return CalibrationSet.Default() ?? throw new LookalikeException(
            "No shared data folder with CIFAR-10 was found to calibrate on; give --calibrate FOLDER (200 or more images like the ones you will index).");
    }

    public static Command Command(CliContext context)
    {
        var model = CommonOptions.Model();
        var output = new Option<string>("--out", "-o") { Description = "int8 ONNX file to write.", Required = true };
        var calibrate = Calibrate(required: true, "Folder of images like the ones the model will see (an even sample is used).");
        var images = new Option<int>("--images")
        {
            Description = $"Calibration images to use ({CalibrationSet.DefaultSize} or more).",
            DefaultValueFactory = _ => CalibrationSet.DefaultSize,
        };
        images.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < CalibrationSet.DefaultSize) r.AddError($"--images must be at least {CalibrationSet.DefaultSize}.");
        });
        var method = new Option<string>("--method")
        {
            Description = "Activation ranges: percentile (of |x|, clips rare outliers) or minmax.",
            DefaultValueFactory = _ => "percentile",
        };
        method.AcceptOnlyFromAmong("percentile", "minmax");
        var percentile = new Option<double>("--percentile") { Description = "Percentile kept by --method percentile.", DefaultValueFactory = _ => 99.999 };
        percentile.Validators.Add(r =>
        {
            double value = r.GetValueOrDefault<double>();
            if (value is <= 90 or > 100) r.AddError($"--percentile must be above 90 and at most 100 (was {value}).");
        });
        var fullRange = new Option<bool>("--full-range")
        {
            Description = "8-bit weights instead of 7 (more precise, but saturates ONNX Runtime's u8*s8 kernels on x86 CPUs without VNNI).",
        };
        var command = new Command("quantize", "Write a statically quantized int8 copy of an ONNX model (QDQ: uint8 activations calibrated on images, " +
            "int8 per-channel weights), fed like the original.")
        {
            model, output, calibrate, images, method, percentile, fullRange,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string source = ModelLocator.Resolve(parse.GetValue(model));
            string target = Path.GetFullPath(parse.GetValue(output)!);
            if (target == source) throw new LookalikeException("--out must not be the model being quantized.");
            int count = parse.GetValue(images);
            var (files, _) = CalibrationImages(parse.GetValue(calibrate), count);
            var options = new QuantizationOptions
            {
                Method = parse.GetValue(method) == "minmax" ? CalibrationMethod.MinMax : CalibrationMethod.Percentile,
                Percentile = parse.GetValue(percentile),
                ReduceRange = !parse.GetValue(fullRange),
                MaximumImages = count,
            };
            var report = await ConsoleProgress.RunAsync(context, "Quantizing", progress => Task.Run(() =>
                StaticQuantizer.Quantize(source, target, files, OnnxFeatureExtractorOptions.ForModel(source), options, progress, cancellationToken), cancellationToken));
            Print(context, report);
            return 0;
        });
        return command;
    }

    public static void Print(CliContext context, QuantizationReport report)
    {
        string skipped = report.RejectedImages > 0 ? $" ({report.RejectedImages} unreadable skipped)" : "";
        string nodes = string.Join(", ", report.QuantizedNodes.Select(p => $"{p.Value} {p.Key}"));
        context.Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Wrote {report.OutputPath} ({report.OutputBytes / 1e6:F1} MB, {(double)report.OutputBytes / report.InputBytes:P0} of the float model) " +
            $"in {report.Elapsed.TotalSeconds:F1} s: calibrated on {report.CalibrationImages} images{skipped}; int8 {nodes}, {report.FoldedRelus} ReLUs folded."));
    }
}
