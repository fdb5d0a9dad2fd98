namespace Lookalike.Onnx.Imaging;

/// <summary>Limits and behaviour of <see cref="ImageLoader"/>.</summary>
public sealed class ImageLoaderOptions
{
    /// <summary>Images with more pixels than this (read from the header, before decoding) are rejected.</summary>
    public long MaxPixels { get; init; } = 200_000_000;

    /// <summary>Images whose longer side is more than this many times the shorter one are rejected as absurd.</summary>
    public int MaxAspectRatio { get; init; } = 100;

    /// <summary>
    /// Decode JPEGs at a reduced scale (1/2, 1/4, 1/8) when the result is still at least the target
    /// size; much faster for large photos (see docs/decoding.md).
    /// </summary>
    public bool ScaledDecode { get; init; } = true;

    /// <summary>An alteration applied while resizing (for features of augmented copies).</summary>
    public ImageAugmentation Augmentation { get; init; } = ImageAugmentation.None;
}
