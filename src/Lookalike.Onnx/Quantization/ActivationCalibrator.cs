using System.Numerics.Tensors;
using Google.Protobuf;
using Lookalike.Errors;
using Lookalike.Onnx.Imaging;
using Lookalike.Progress;
using Microsoft.ML.OnnxRuntime;
using OnnxProto = global::Onnx;

namespace Lookalike.Onnx.Quantization;

/// <summary>
/// Runs the float model on calibration images with the activations to quantize exposed as extra
/// outputs, and records the range of each: min/max, or the chosen percentile of |value| from a
/// second pass over a 4,096-bin histogram.
/// </summary>
internal static class ActivationCalibrator
{
    private const int Bins = 4096;

    /// <remarks>The activations are added to <paramref name="model"/>'s outputs (the caller's copy is not used afterwards).</remarks>
    /// <exception cref="LookalikeException">when fewer than <see cref="QuantizationOptions.MinimumImages"/> images decode.</exception>
    public static (Dictionary<string, TensorRange> Ranges, int Used, int Rejected) Collect(OnnxProto.ModelProto model,
        IReadOnlyList<string> activations, IReadOnlyList<string> images, OnnxFeatureExtractorOptions feed, QuantizationOptions options,
        IProgress<ProgressUpdate>? progress, CancellationToken cancellationToken)
    {
        var (tensors, rejected) = Prepare(images, feed, options, progress, cancellationToken);
        if (tensors.Count < options.MinimumImages)
            throw new LookalikeException(
                $"Only {tensors.Count} of {images.Count} calibration images could be decoded; at least {options.MinimumImages} are needed.");
        using var session = CreateSession(model, activations, options);
        string[] names = [.. activations];
        var min = new float[names.Length];
        var max = new float[names.Length];
        Array.Fill(min, float.PositiveInfinity);
        Array.Fill(max, float.NegativeInfinity);
        Pass(session, feed, tensors, names, "Calibrating (min/max)", progress, cancellationToken, (i, values) =>
        {
            min[i] = Math.Min(min[i], TensorPrimitives.Min(values));
            max[i] = Math.Max(max[i], TensorPrimitives.Max(values));
        });
        if (options.Method == CalibrationMethod.Percentile)
        {
            var histograms = new long[names.Length][];
            for (int i = 0; i < names.Length; i++) histograms[i] = new long[Bins];
            Pass(session, feed, tensors, names, "Calibrating (histograms)", progress, cancellationToken, (i, values) =>
            {
                float top = Math.Max(Math.Abs(min[i]), Math.Abs(max[i]));
                if (!(top > 0)) return;
                float perBin = Bins / top;
                long[] histogram = histograms[i];
                foreach (float v in values) histogram[Math.Min(Bins - 1, (int)(Math.Abs(v) * perBin))]++;
            });
            for (int i = 0; i < names.Length; i++)
            {
                float top = Math.Max(Math.Abs(min[i]), Math.Abs(max[i]));
                float clip = PercentileOf(histograms[i], top, options.Percentile);
                (min[i], max[i]) = (Math.Max(min[i], -clip), Math.Min(max[i], clip));
            }
        }
        var ranges = new Dictionary<string, TensorRange>(StringComparer.Ordinal);
        for (int i = 0; i < names.Length; i++) ranges[names[i]] = new TensorRange(min[i], max[i]);
        return (ranges, tensors.Count, rejected);
    }

    private static float PercentileOf(long[] histogram, float top, double percentile)
    {
        long total = histogram.Sum();
        long keep = (long)Math.Ceiling(total * percentile / 100);
        long seen = 0;
        for (int b = 0; b < histogram.Length; b++)
        {
            seen += histogram[b];
            if (seen >= keep) return top * (b + 1) / histogram.Length;
        }
        return top;
    }

    private static (List<float[]> Tensors, int Rejected) Prepare(IReadOnlyList<string> images, OnnxFeatureExtractorOptions feed,
        QuantizationOptions options, IProgress<ProgressUpdate>? progress, CancellationToken cancellationToken)
    {
        var loader = new ImageLoader(feed.Loader);
        var preprocessor = new Preprocessor(feed);
        var tensors = new List<float[]>();
        int rejected = 0;
        foreach (string path in images)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (tensors.Count == options.MaximumImages) break;
            try
            {
                var image = loader.Load(File.ReadAllBytes(path), path, feed.Width, feed.Height);
                var tensor = new float[preprocessor.TensorLength];
                preprocessor.Fill(image, tensor);
                tensors.Add(tensor);
            }
            catch (Exception e) when (e is LookalikeException or IOException or UnauthorizedAccessException)
            {
                rejected++;
            }
            progress?.Report(new ProgressUpdate("Decoding calibration images", tensors.Count + rejected, Math.Min(images.Count, options.MaximumImages)));
        }
        return (tensors, rejected);
    }

    private static InferenceSession CreateSession(OnnxProto.ModelProto model, IReadOnlyList<string> activations, QuantizationOptions options)
    {
        var exposed = model;
        var outputs = new HashSet<string>(exposed.Graph.Output.Select(o => o.Name), StringComparer.Ordinal);
        foreach (string name in activations.Where(n => !outputs.Contains(n)))
        {
            exposed.Graph.Output.Add(new OnnxProto.ValueInfoProto
            {
                Name = name,
                Type = new OnnxProto.TypeProto { TensorType = new OnnxProto.TypeProto.Types.Tensor { ElemType = (int)OnnxProto.TensorProto.Types.DataType.Float } },
            });
        }
        using var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC,
            IntraOpNumThreads = options.Threads > 0 ? options.Threads : Environment.ProcessorCount,
        };
        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        try
        {
            return new InferenceSession(exposed.ToByteArray(), sessionOptions);
        }
        catch (OnnxRuntimeException e)
        {
            throw new LookalikeException($"ONNX Runtime cannot run the model with its activations exposed for calibration: {e.Message}", e);
        }
    }

    private static void Pass(InferenceSession session, OnnxFeatureExtractorOptions feed, List<float[]> tensors, string[] names, string stage,
        IProgress<ProgressUpdate>? progress, CancellationToken cancellationToken, Action<int, ReadOnlySpan<float>> observe)
    {
        long[] shape = feed.Layout == TensorLayout.Nchw ? [1, 3, feed.Height, feed.Width] : [1, feed.Height, feed.Width, 3];
        for (int t = 0; t < tensors.Count; t++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var runOptions = new RunOptions();
            using var input = OrtValue.CreateTensorValueFromMemory(tensors[t], shape);
            using var outputs = session.Run(runOptions, [feed.InputName], [input], names);
            for (int i = 0; i < names.Length; i++) observe(i, outputs[i].GetTensorDataAsSpan<float>());
            GC.KeepAlive(runOptions);
            GC.KeepAlive(input);
            progress?.Report(new ProgressUpdate(stage, t + 1, tensors.Count));
        }
    }
}
