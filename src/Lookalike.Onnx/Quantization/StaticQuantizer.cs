using System.Diagnostics;
using System.Globalization;
using Lookalike.Onnx.Import;
using Lookalike.Progress;

namespace Lookalike.Onnx.Quantization;

/// <summary>
/// Static int8 quantization of an ONNX backbone (QDQ form, <see cref="QdqRewriter"/>), with
/// activation ranges calibrated on images fed the way the model expects (<see cref="ActivationCalibrator"/>).
/// The quantized model keeps the float model's inputs, outputs and metadata.
/// </summary>
public static class StaticQuantizer
{
    /// <summary>Metadata key describing how a model was quantized (<see cref="DescriptionOf"/> reads it).</summary>
    public const string MetadataKey = "lookalike.quantization";

    /// <summary>How the model at <paramref name="path"/> was quantized, or null when it was not (by Lookalike).</summary>
    public static string? DescriptionOf(string path) => OnnxModelFile.ReadMetadata(path).GetValueOrDefault(MetadataKey);

    /// <summary>Quantizes <paramref name="floatModel"/> into <paramref name="outputPath"/>.</summary>
    /// <param name="floatModel">The float ONNX model.</param>
    /// <param name="outputPath">Where the int8 model is written (atomically).</param>
    /// <param name="calibrationImages">Image files like the ones the model will see.</param>
    /// <param name="feed">How images are fed to the model (its preprocessing).</param>
    /// <param name="options">Calibration and weight settings.</param>
    /// <param name="progress">Progress of decoding and calibration.</param>
    /// <param name="cancellationToken">Stops between images.</param>
    /// <exception cref="Errors.LookalikeException">when the model cannot be read or quantized, or too few images decode.</exception>
    public static QuantizationReport Quantize(string floatModel, string outputPath, IReadOnlyList<string> calibrationImages,
        OnnxFeatureExtractorOptions feed, QuantizationOptions? options = null, IProgress<ProgressUpdate>? progress = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new QuantizationOptions();
        var clock = Stopwatch.StartNew();
        var original = OnnxModelFile.Read(floatModel);
        var rewritten = original.Clone();
        var rewriter = new QdqRewriter(rewritten);
        // The float model is only needed to calibrate, so the calibrator may add its outputs to it.
        var (ranges, used, rejected) = ActivationCalibrator.Collect(original, rewriter.Activations, calibrationImages, feed, options,
            progress, cancellationToken);
        rewriter.Rewrite(ranges, options);
        string method = options.Method == CalibrationMethod.Percentile
            ? string.Create(CultureInfo.InvariantCulture, $"percentile {options.Percentile} of |x|")
            : "min/max";
        OnnxModelFile.SetMetadata(rewritten, MetadataKey,
            $"static QDQ: uint8 asymmetric activations ({method} over {used} images), int8 symmetric weights " +
            $"({(options.ReduceRange ? "7" : "8")} bits, per output channel for Conv), int32 biases; {rewriter.FoldedRelus} ReLUs folded");
        OnnxModelFile.SetMetadata(rewritten, OnnxFeatureExtractorOptions.FeedMetadataKey, feed.ToFeedMetadata());
        OnnxModelFile.Write(rewritten, outputPath);
        return new QuantizationReport(Path.GetFullPath(outputPath), used, rejected, rewriter.QuantizedNodes, rewriter.FoldedRelus,
            new FileInfo(floatModel).Length, new FileInfo(outputPath).Length, clock.Elapsed);
    }
}
