namespace Lookalike.Features;

/// <summary>
/// A machine-readable description of a feature model, from which its extractor can be rebuilt:
/// which ONNX file (by hash), how it is fed (tensor names, size, layout, channel order, scaling,
/// mean and std) and, for fine-tuned features, which head (by hash).
/// </summary>
/// <remarks>Two descriptions describe the same features exactly when every member is equal (<see cref="DifferencesFrom"/>).</remarks>
public sealed record ModelDescription
{
    /// <summary>SHA-256 of the .onnx file.</summary>
    public required string OnnxSha256 { get; init; }

    /// <summary>Name of the image input.</summary>
    public required string InputName { get; init; }

    /// <summary>Name of the feature output.</summary>
    public required string OutputName { get; init; }

    /// <summary>Input width in pixels.</summary>
    public required int Width { get; init; }

    /// <summary>Input height in pixels.</summary>
    public required int Height { get; init; }

    /// <summary>Tensor layout: "nchw" or "nhwc".</summary>
    public required string Layout { get; init; }

    /// <summary>Channel order: "rgb" or "bgr".</summary>
    public required string ChannelOrder { get; init; }

    /// <summary>Multiplier applied to 0..255 pixel values before the mean is subtracted.</summary>
    public required float Scale { get; init; }

    /// <summary>Per-channel mean, in the tensor's channel order.</summary>
    public required float[] Mean { get; init; }

    /// <summary>Per-channel standard deviation, in the tensor's channel order.</summary>
    public required float[] Std { get; init; }

    /// <summary>SHA-256 of the fine-tuned head applied after the model, when there is one.</summary>
    public string? HeadSha256 { get; init; }

    /// <summary>What differs from <paramref name="other"/>, one phrase per member (empty when they describe the same features).</summary>
    public IReadOnlyList<string> DifferencesFrom(ModelDescription other)
    {
        var differences = new List<string>();
        void Compare(string what, object? mine, object? theirs)
        {
            if (!Equals(mine, theirs)) differences.Add($"{what} {mine ?? "none"} vs {theirs ?? "none"}");
        }
        Compare("model sha256", Short(OnnxSha256), Short(other.OnnxSha256));
        Compare("input", InputName, other.InputName);
        Compare("output", OutputName, other.OutputName);
        Compare("size", $"{Width}x{Height}", $"{other.Width}x{other.Height}");
        Compare("layout", Layout, other.Layout);
        Compare("channel order", ChannelOrder, other.ChannelOrder);
        Compare("scale", Scale, other.Scale);
        Compare("mean", string.Join(",", Mean), string.Join(",", other.Mean));
        Compare("std", string.Join(",", Std), string.Join(",", other.Std));
        Compare("head sha256", Short(HeadSha256), Short(other.HeadSha256));
        return differences;
    }

    private static string? Short(string? sha256) => sha256 is null ? null : sha256[..Math.Min(12, sha256.Length)] + "…";
}
