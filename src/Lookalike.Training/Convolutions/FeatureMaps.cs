namespace Lookalike.Training.Convolutions;

/// <summary>
/// A batch of feature maps stored channel-major: [channel, image, row, column]. One channel's values
/// for the whole batch are contiguous, so a 1×1 convolution of the batch is one matrix product
/// (weights [out × in] · maps [in × batch·height·width]).
/// </summary>
public sealed class FeatureMaps
{
    /// <summary>Wraps <paramref name="data"/> (length channels·batch·height·width).</summary>
    public FeatureMaps(int channels, int batch, int height, int width, float[] data)
    {
        if (channels < 1 || batch < 1 || height < 1 || width < 1 || data.Length != (long)channels * batch * height * width)
            throw new ArgumentException($"{data.Length} values do not make {channels}×{batch}×{height}×{width} maps.", nameof(data));
        (Channels, Batch, Height, Width, Data) = (channels, batch, height, width, data);
    }

    /// <summary>Zero maps of the given shape.</summary>
    public FeatureMaps(int channels, int batch, int height, int width)
        : this(channels, batch, height, width, new float[(long)channels * batch * height * width])
    {
    }

    /// <summary>Channels.</summary>
    public int Channels { get; }

    /// <summary>Images in the batch.</summary>
    public int Batch { get; }

    /// <summary>Rows of each map.</summary>
    public int Height { get; }

    /// <summary>Columns of each map.</summary>
    public int Width { get; }

    /// <summary>The values, [channel, image, row, column].</summary>
    public float[] Data { get; }

    /// <summary>Values per channel (batch·height·width).</summary>
    public int Plane => Batch * Height * Width;

    /// <summary>Maps of the same shape, zero.</summary>
    public FeatureMaps ZerosLike() => new(Channels, Batch, Height, Width);

    /// <summary>
    /// Maps from images stored one after another as [image, channel, row, column] (ONNX's NCHW),
    /// e.g. what ONNX Runtime returns for a batch.
    /// </summary>
    public static FeatureMaps FromImageMajor(ReadOnlySpan<float> nchw, int batch, int channels, int height, int width)
    {
        var maps = new FeatureMaps(channels, batch, height, width);
        int area = height * width;
        for (int n = 0; n < batch; n++)
        {
            for (int c = 0; c < channels; c++)
                nchw.Slice(((n * channels) + c) * area, area).CopyTo(maps.Data.AsSpan(((c * batch) + n) * area, area));
        }
        return maps;
    }
}
