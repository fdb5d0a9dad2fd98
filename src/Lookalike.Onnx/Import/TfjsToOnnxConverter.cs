using System.Diagnostics;
using Google.Protobuf;
using Lookalike.Errors;
using Lookalike.IO;
using Lookalike.Progress;
using static Lookalike.Onnx.Import.OnnxGraphBuilder;
using OnnxProto = global::Onnx;

namespace Lookalike.Onnx.Import;

/// <summary>What a conversion produced.</summary>
/// <param name="OutputPath">The ONNX file written.</param>
/// <param name="Bytes">Its size.</param>
/// <param name="Layers">Keras layers converted.</param>
/// <param name="FoldedBatchNorms">Batch norms folded into the preceding convolution.</param>
/// <param name="Outputs">Graph output names.</param>
/// <param name="Elapsed">Conversion time, reading the weights included.</param>
public sealed record TfjsImportReport(string OutputPath, long Bytes, int Layers, int FoldedBatchNorms, IReadOnlyList<string> Outputs,
    TimeSpan Elapsed);

/// <summary>
/// Converts a TensorFlow.js layers model (Keras 2 topology + float32 weight shards) to an ONNX graph
/// (opset 13). The ONNX input is <c>input</c> [N, C, H, W] (NCHW); batch norm is folded into the
/// convolution before it; Keras "same" padding maps to ONNX SAME_UPPER, which pads the extra row or
/// column at the end exactly as TensorFlow does.
/// </summary>
/// <remarks>Stateless; each conversion uses its own builder.</remarks>
public static class TfjsToOnnxConverter
{
    /// <summary>Keras layer classes the converter understands.</summary>
    public static readonly IReadOnlyList<string> SupportedLayers =
    [
        "InputLayer", "ZeroPadding2D", "Conv2D", "DepthwiseConv2D", "SeparableConv2D", "BatchNormalization", "Activation", "ReLU",
        "MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D", "GlobalMaxPooling2D", "Add", "Concatenate", "Multiply",
        "Dense", "Flatten", "Dropout",
    ];

    /// <summary>Converts the model in <paramref name="modelDirectory"/> and writes <paramref name="outputPath"/> atomically.</summary>
    /// <exception cref="LookalikeException">for a missing file or shard, an unsupported layer, or inconsistent weights; nothing is written then.</exception>
    public static TfjsImportReport ConvertFile(string modelDirectory, string outputPath, TfjsImportOptions? options = null,
        IProgress<ProgressUpdate>? progress = null)
    {
        var clock = Stopwatch.StartNew();
        var (model, layers, folded, outputs) = Convert(modelDirectory, options ?? new TfjsImportOptions(), progress);
        AtomicFile.Write(outputPath, model.WriteTo);
        return new TfjsImportReport(Path.GetFullPath(outputPath), new FileInfo(outputPath).Length, layers, folded, outputs, clock.Elapsed);
    }

    internal static (OnnxProto.ModelProto Model, int Layers, int Folded, IReadOnlyList<string> Outputs) Convert(
        string modelDirectory, TfjsImportOptions options, IProgress<ProgressUpdate>? progress)
    {
        var model = TfjsModel.Load(modelDirectory);
        // Check every layer type before reading 100 MB of weights.
        foreach (var layer in model.Layers)
        {
            if (!SupportedLayers.Contains(layer.ClassName))
                throw new LookalikeException(
                    $"Layer '{layer.Name}' has type '{layer.ClassName}', which the importer does not support (supported: {string.Join(", ", SupportedLayers)}).");
        }
        int shards = model.WeightGroups.Sum(g => g.Paths.Count);
        progress?.Report(new ProgressUpdate("Reading weights", 0, shards));
        var weights = TfjsWeights.Read(model, modelDirectory,
            new Progress<int>(n => progress?.Report(new ProgressUpdate("Reading weights", n, shards))));
        var state = new TfjsConversion(model, weights);
        for (int i = 0; i < model.Layers.Count; i++)
        {
            state.Convert(model.Layers[i]);
            progress?.Report(new ProgressUpdate("Converting layers", i + 1, model.Layers.Count, model.Layers[i].Name));
        }
        var outputs = state.AddOutputs(options.FeaturesLayer);
        var metadata = new Dictionary<string, string>
        {
            ["source"] = options.Source,
            ["converted_from"] = model.Producer,
            ["input_layout"] = "NCHW",
        };
        foreach (var (key, value) in options.Metadata) metadata[key] = value;
        return (state.Builder.Build(model.Name, options.Source, metadata), model.Layers.Count, state.FoldedBatchNorms, outputs);
    }
}
