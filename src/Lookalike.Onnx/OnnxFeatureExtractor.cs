using Lookalike.Errors;
using Lookalike.Features;
using Lookalike.IO;
using Lookalike.Onnx.Imaging;
using Microsoft.ML.OnnxRuntime;

namespace Lookalike.Onnx;

/// <summary>
/// Feature extraction with an ONNX backbone on ONNX Runtime (CPU): decode → preprocess → run,
/// with decoding on separate threads overlapping inference.
/// </summary>
/// <remarks>Thread-safe: ONNX Runtime sessions may be run concurrently.</remarks>
public sealed partial class OnnxFeatureExtractor : IFeatureExtractor
{
    private readonly InferenceSession _session;
    private readonly OnnxFeatureExtractorOptions _options;
    private readonly IImageDecoder _loader;
    private readonly Preprocessor _preprocessor;

    /// <summary>Loads the model and checks its input and output against <paramref name="options"/>.</summary>
    /// <exception cref="LookalikeException">when the model file is missing or does not match the options.</exception>
    public OnnxFeatureExtractor(OnnxFeatureExtractorOptions options)
    {
        options.Validate();
        if (!File.Exists(options.ModelPath))
            throw new LookalikeException($"Model file '{options.ModelPath}' does not exist.");
        _options = options;
        _loader = options.Decoder ?? new ImageLoader(options.Loader);
        _preprocessor = new Preprocessor(options);
        string sha256 = Models.ModelLocator.HashCache.Sha256Of(options.ModelPath);
        _session = CreateSession(options, sha256);
        int dimension = CheckModel();
        Metadata = new FeatureExtractorMetadata(options.ModelId, sha256, Path.GetFullPath(options.ModelPath),
            dimension, options.PreferredMetric, options.DescribePreprocessing(), Description: options.Describe(sha256));
    }

    /// <inheritdoc/>
    public FeatureExtractorMetadata Metadata { get; }

    /// <summary>The options this extractor was made with.</summary>
    public OnnxFeatureExtractorOptions Options => _options;

    private static InferenceSession CreateSession(OnnxFeatureExtractorOptions options, string sha256)
    {
        using var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = options.OptimizationLevel,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = options.IntraOpThreads > 0 ? options.IntraOpThreads : Environment.ProcessorCount,
            InterOpNumThreads = 1,
        };
        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", options.AllowSpinning ? "1" : "0");
        sessionOptions.AddSessionConfigEntry("session.inter_op.allow_spinning", options.AllowSpinning ? "1" : "0");
        foreach (var (key, value) in options.SessionSettings) sessionOptions.AddSessionConfigEntry(key, value);
        if (options.Device.CudaId is { } cuda) AddCuda(sessionOptions, cuda);
        try
        {
            // Optimised graphs saved on the CPU hold CPU-only kernels, so a GPU session optimises afresh; so does one
            // whose settings may change the optimised graph.
            bool cacheable = !options.Device.IsCuda && options.SessionSettings.Count == 0 && options.OptimizationLevel == GraphOptimizationLevel.ORT_ENABLE_ALL;
            return options.OptimizedModelFolder is { } folder && cacheable
                ? new Models.OptimizedModelCache(folder).Open(options.ModelPath, sha256, sessionOptions)
                : new InferenceSession(options.ModelPath, sessionOptions);
        }
        catch (OnnxRuntimeException e)
        {
            throw new LookalikeException($"Model file '{options.ModelPath}' cannot be loaded by ONNX Runtime: {e.Message}", e);
        }
    }

    private static void AddCuda(SessionOptions sessionOptions, int device)
    {
        try
        {
            sessionOptions.AppendExecutionProvider_CUDA(device);
        }
        catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
        {
            throw new LookalikeException(
                $"CUDA device {device} cannot be used: {e.Message.Trim()} This needs an NVIDIA driver, CUDA 12 and cuDNN 9, and Lookalike " +
                "built with the GPU ONNX Runtime (dotnet build -p:LookalikeGpu=true); without them, leave --device at cpu.", e);
        }
    }

    /// <summary>Checks input/output names and shapes; returns the feature dimension.</summary>
    private int CheckModel()
    {
        if (!_session.InputMetadata.TryGetValue(_options.InputName, out var input))
            throw new LookalikeException($"Model '{_options.ModelPath}' has no input '{_options.InputName}'; its inputs: {string.Join(", ", _session.InputMetadata.Keys)}.");
        if (!_session.OutputMetadata.TryGetValue(_options.OutputName, out var output))
            throw new LookalikeException($"Model '{_options.ModelPath}' has no output '{_options.OutputName}'; its outputs: {string.Join(", ", _session.OutputMetadata.Keys)}.");
        int[] expected = _options.Layout == TensorLayout.Nchw
            ? [-1, 3, _options.Height, _options.Width]
            : [-1, _options.Height, _options.Width, 3];
        var dims = input.Dimensions;
        bool fits = dims.Length == 4 && Enumerable.Range(1, 3).All(i => dims[i] <= 0 || dims[i] == expected[i]);
        if (!fits)
            throw new LookalikeException($"Model input '{_options.InputName}' has shape [{string.Join(",", dims)}]; the options describe [N,{string.Join(",", expected[1..])}].");
        var outDims = output.Dimensions;
        if (outDims.Length != 2 || outDims[1] <= 0)
            throw new LookalikeException($"Model output '{_options.OutputName}' has shape [{string.Join(",", outDims)}]; expected [N, d].");
        return outDims[1];
    }


    /// <summary>Decodes and preprocesses one image into <paramref name="tensor"/>; returns its oriented size.</summary>
    internal (int Width, int Height) Prepare(ImageInput input, Span<float> tensor)
    {
        DecodedImage image;
        using (_options.DecodeJournal?.Begin(input.Source))
            image = input.Region is { } region
                ? Imaging.RegionDecoder.Load(_loader, input.Bytes.Span, input.Source, region, _options.Width, _options.Height)
                : _loader.Load(input.Bytes.Span, input.Source, _options.Width, _options.Height);
        _preprocessor.Fill(image, tensor);
        return (image.OriginalWidth, image.OriginalHeight);
    }

    /// <summary>Runs the network on <paramref name="count"/> preprocessed images; returns count×d features (or another output's values).</summary>
    internal float[] Run(float[] batch, int count, string? outputName = null)
    {
        long[] shape = _options.Layout == TensorLayout.Nchw
            ? [count, 3, _options.Height, _options.Width]
            : [count, _options.Height, _options.Width, 3];
        // RunOptions and the input OrtValue must stay referenced until Run returns, or the GC can
        // finalise them mid-call.
        using var runOptions = new RunOptions();
        using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance,
            batch.AsMemory(0, count * _preprocessor.TensorLength), shape);
        using var outputs = _session.Run(runOptions, [_options.InputName], [input], [outputName ?? _options.OutputName]);
        float[] features = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        GC.KeepAlive(runOptions);
        GC.KeepAlive(input);
        return features;
    }

    /// <summary>
    /// Images per second of the network alone: decodes <paramref name="images"/> once, then runs them
    /// <paramref name="passes"/> times in batches of <see cref="OnnxFeatureExtractorOptions.BatchSize"/> (after one warm-up batch).
    /// </summary>
    public double MeasureInference(IReadOnlyList<ImageInput> images, int passes = 1)
    {
        ArgumentOutOfRangeException.ThrowIfZero(images.Count);
        ArgumentOutOfRangeException.ThrowIfLessThan(passes, 1);
        float[] tensors = new float[images.Count * TensorLength];
        for (int i = 0; i < images.Count; i++) Prepare(images[i], tensors.AsSpan(i * TensorLength, TensorLength));
        int batch = Math.Min(_options.BatchSize, images.Count);
        float[] buffer = new float[batch * TensorLength];
        void RunFrom(int first, int count)
        {
            tensors.AsSpan(first * TensorLength, count * TensorLength).CopyTo(buffer);
            Run(buffer, count);
        }
        RunFrom(0, batch);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int pass = 0; pass < passes; pass++)
        {
            for (int first = 0; first < images.Count; first += batch) RunFrom(first, Math.Min(batch, images.Count - first));
        }
        return images.Count * (double)passes / clock.Elapsed.TotalSeconds;
    }

    /// <summary>Floats of one preprocessed image in the input tensor.</summary>
    internal int TensorLength => _preprocessor.TensorLength;

    /// <inheritdoc/>
    public void Dispose() => _session.Dispose();
}
