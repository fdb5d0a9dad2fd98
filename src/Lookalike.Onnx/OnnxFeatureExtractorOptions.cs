using Lookalike.Errors;
using Lookalike.Features;
using Lookalike.Indexes;
using Lookalike.Onnx.Imaging;

namespace Lookalike.Onnx;

/// <summary>
/// Describes an ONNX backbone and how to feed it: any image model plugs in by filling these in.
/// Pixel values v ∈ [0, 255] become <c>(v · <see cref="Scale"/> − Mean[c]) / Std[c]</c>.
/// </summary>
public sealed record OnnxFeatureExtractorOptions
{
    /// <summary>
    /// Key of the ONNX metadata property in which models Lookalike writes say how they are fed (a
    /// <see cref="ModelDescription"/> as JSON, without a hash), so that <c>--model PATH.onnx</c> needs no more.
    /// </summary>
    public const string FeedMetadataKey = "lookalike.feed";

    private static readonly System.Text.Json.JsonSerializerOptions FeedJson = new(System.Text.Json.JsonSerializerDefaults.Web);

    /// <summary>Name of the built-in profile for the Keras ImageNet ResNet50.</summary>
    public const string ResNet50KerasProfile = "resnet50-keras";

    /// <summary>Path of the .onnx file.</summary>
    public required string ModelPath { get; init; }

    /// <summary>Short model name stored in collections.</summary>
    public string ModelId { get; init; } = "onnx-model";

    /// <summary>Name of the image input.</summary>
    public string InputName { get; init; } = "input";

    /// <summary>Name of the output used as the feature vector ([N, d]).</summary>
    public string OutputName { get; init; } = "features";

    /// <summary>Input width in pixels.</summary>
    public int Width { get; init; } = 224;

    /// <summary>Input height in pixels.</summary>
    public int Height { get; init; } = 224;

    /// <summary>Channel order of the input tensor.</summary>
    public ChannelOrder ChannelOrder { get; init; } = ChannelOrder.Rgb;

    /// <summary>Layout of the input tensor.</summary>
    public TensorLayout Layout { get; init; } = TensorLayout.Nchw;

    /// <summary>Multiplier applied to 0..255 pixel values before the mean is subtracted.</summary>
    public float Scale { get; init; } = 1f;

    /// <summary>Per-channel mean, in the tensor's channel order.</summary>
    public float[] Mean { get; init; } = [0, 0, 0];

    /// <summary>Per-channel standard deviation, in the tensor's channel order.</summary>
    public float[] Std { get; init; } = [1, 1, 1];

    /// <summary>The metric that suits the features.</summary>
    public DistanceMetric PreferredMetric { get; init; } = DistanceMetric.Cosine;

    /// <summary>Images per inference call. Larger batches do not help on CPU; they do on accelerators.</summary>
    public int BatchSize { get; init; } = 1;

    /// <summary>Threads ONNX Runtime uses inside one operator (0 = one per core).</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>Threads that decode images while the network runs.</summary>
    public int DecodeThreads { get; init; } = 1;

    /// <summary>
    /// Let ONNX Runtime's threads spin while idle. Off by default: on a machine busy with decoding
    /// it halves throughput.
    /// </summary>
    public bool AllowSpinning { get; init; }

    /// <summary>
    /// Where the model's optimised graph is kept between runs (<see cref="Models.OptimizedModelCache"/>;
    /// about the model's size once per model and CPU kind), or null to optimise at every start.
    /// </summary>
    public string? OptimizedModelFolder { get; init; } = Path.Combine(Models.ModelLocator.DataDirectory, "cache", "optimized-models");

    /// <summary>
    /// More ONNX Runtime session settings (<c>AddSessionConfigEntry</c>), e.g. <c>session.disable_quant_qdq</c>; with any,
    /// the optimised graph is not cached (it may depend on them).
    /// </summary>
    public IReadOnlyDictionary<string, string> SessionSettings { get; init; } = new Dictionary<string, string>();

    /// <summary>How far ONNX Runtime optimises the graph.</summary>
    public Microsoft.ML.OnnxRuntime.GraphOptimizationLevel OptimizationLevel { get; init; } = Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>Where the network runs (CUDA needs the build with the GPU ONNX Runtime, see the README).</summary>
    public ExecutionDevice Device { get; init; }

    /// <summary>Image decoding limits.</summary>
    public ImageLoaderOptions Loader { get; init; } = new();

    /// <summary>
    /// The decoder to use instead of an in-process <see cref="ImageLoader"/> with <see cref="Loader"/>
    /// (e.g. an <see cref="Imaging.Isolation.IsolatedImageDecoder"/> for untrusted uploads); the caller owns it.
    /// </summary>
    public IImageDecoder? Decoder { get; init; }

    /// <summary>Where each image is recorded before it is decoded (so a file that kills the process can be named later), if anywhere.</summary>
    public Features.IDecodeJournal? DecodeJournal { get; init; }

    /// <summary>
    /// The Keras ImageNet ResNet50 (see the model's README): 224×224, BGR, minus the ImageNet mean
    /// (B 103.939, G 116.779, R 123.68), no scaling, 2048-d "features" output.
    /// </summary>
    public static OnnxFeatureExtractorOptions ResNet50Keras(string modelPath) => new()
    {
        ModelPath = modelPath,
        ModelId = ResNet50KerasProfile,
        ChannelOrder = ChannelOrder.Bgr,
        Mean = [103.939f, 116.779f, 123.68f],
        Std = [1, 1, 1],
        Scale = 1f,
    };

    /// <summary>A built-in profile by name.</summary>
    public static OnnxFeatureExtractorOptions FromProfile(string profile, string modelPath) => profile switch
    {
        ResNet50KerasProfile => ResNet50Keras(modelPath),
        _ => throw new LookalikeException($"Unknown model profile '{profile}'; known: {ResNet50KerasProfile}."),
    };

    /// <summary>One line describing the preprocessing, stored in collection manifests.</summary>
    public string DescribePreprocessing() =>
        $"{Width}x{Height} {ChannelOrder.ToString().ToUpperInvariant()} {Layout.ToString().ToUpperInvariant()} " +
        $"scale {Scale:G6} mean ({string.Join(",", Mean)}) std ({string.Join(",", Std)})" +
        (Loader.Augmentation == Imaging.ImageAugmentation.None ? "" : $"; augmented: {Loader.Augmentation.ToString().ToLowerInvariant()}");

    /// <summary>The machine-readable description of these options for a model file with hash <paramref name="onnxSha256"/>.</summary>
    public ModelDescription Describe(string onnxSha256) => new()
    {
        OnnxSha256 = onnxSha256,
        InputName = InputName,
        OutputName = OutputName,
        Width = Width,
        Height = Height,
        Layout = Layout.ToString().ToLowerInvariant(),
        ChannelOrder = ChannelOrder.ToString().ToLowerInvariant(),
        Scale = Scale,
        Mean = [.. Mean],
        Std = [.. Std],
    };

    /// <summary>Options that feed <paramref name="modelPath"/> as <paramref name="description"/> says (the rest at their defaults).</summary>
    /// <exception cref="LookalikeException">for a layout or channel order this build does not know.</exception>
    public static OnnxFeatureExtractorOptions FromDescription(string modelPath, ModelDescription description) => new()
    {
        ModelPath = modelPath,
        ModelId = Path.GetFileNameWithoutExtension(modelPath),
        InputName = description.InputName,
        OutputName = description.OutputName,
        Width = description.Width,
        Height = description.Height,
        Layout = Enum.TryParse<TensorLayout>(description.Layout, ignoreCase: true, out var layout)
            ? layout : throw new LookalikeException($"Unknown tensor layout '{description.Layout}' in the model description; known: nchw, nhwc."),
        ChannelOrder = Enum.TryParse<ChannelOrder>(description.ChannelOrder, ignoreCase: true, out var order)
            ? order : throw new LookalikeException($"Unknown channel order '{description.ChannelOrder}' in the model description; known: rgb, bgr."),
        Scale = description.Scale,
        Mean = [.. description.Mean],
        Std = [.. description.Std],
    };

    /// <summary>
    /// Options for a model file: fed as its <see cref="FeedMetadataKey"/> metadata says, else as the Keras ResNet50
    /// (the preprocessing of every model Lookalike wrote before the metadata existed); named after the file.
    /// </summary>
    /// <exception cref="LookalikeException">when the metadata is not a readable description.</exception>
    public static OnnxFeatureExtractorOptions ForModel(string modelPath)
    {
        if (!Import.OnnxModelFile.ReadMetadata(modelPath).TryGetValue(FeedMetadataKey, out string? json))
            return ResNet50Keras(modelPath) with { ModelId = Path.GetFileNameWithoutExtension(modelPath) };
        try
        {
            var description = System.Text.Json.JsonSerializer.Deserialize<ModelDescription>(json, FeedJson)
                ?? throw new LookalikeException($"Model '{modelPath}' has an empty {FeedMetadataKey} property.");
            return FromDescription(modelPath, description);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new LookalikeException($"Model '{modelPath}' has a {FeedMetadataKey} property that is not a model description: {e.Message}", e);
        }
    }

    /// <summary>
    /// These options on <paramref name="device"/>: a GPU gets batches of 64 (unless a batch size was chosen) and
    /// a decoding thread per core, to keep it fed.
    /// </summary>
    public OnnxFeatureExtractorOptions OnDevice(ExecutionDevice device) => !device.IsCuda ? this with { Device = device } : this with
    {
        Device = device,
        BatchSize = BatchSize == 1 ? 64 : BatchSize,
        DecodeThreads = Math.Max(DecodeThreads, Environment.ProcessorCount),
    };

    /// <summary>These options as the value of the <see cref="FeedMetadataKey"/> property.</summary>
    public string ToFeedMetadata() => System.Text.Json.JsonSerializer.Serialize(Describe(""), FeedJson);

    internal void Validate()
    {
        if (Width <= 0 || Height <= 0) throw new LookalikeException($"Model input size {Width}×{Height} must be positive.");
        if (Mean.Length != 3 || Std.Length != 3) throw new LookalikeException("Mean and Std need exactly 3 values (one per channel).");
        if (Std.Any(s => s == 0)) throw new LookalikeException("Std values must not be zero.");
        if (BatchSize < 1) throw new LookalikeException($"Batch size must be at least 1 (was {BatchSize}).");
        if (DecodeThreads < 1) throw new LookalikeException($"Decode threads must be at least 1 (was {DecodeThreads}).");
    }
}
