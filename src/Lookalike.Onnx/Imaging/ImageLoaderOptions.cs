using Lookalike.Errors;

namespace Lookalike.Onnx.Imaging;

/// <summary>Limits and behaviour of <see cref="ImageLoader"/>.</summary>
public sealed record ImageLoaderOptions
{
    /// <summary>The pixel limit of the CLI and the server unless configured otherwise: 50 megapixels.</summary>
    public const long DefaultMaxPixels = 50_000_000;

    /// <summary>Images with more pixels than this (read from the header, before decoding) are rejected.</summary>
    public long MaxPixels { get; init; } = DefaultMaxPixels;

    /// <summary>Images whose longer side is more than this many times the shorter one are rejected as absurd.</summary>
    public int MaxAspectRatio { get; init; } = 100;

    /// <summary>
    /// Decode JPEGs at a reduced scale (1/2, 1/4, 1/8) when the result is still at least the target
    /// size; much faster for large photos (see docs/decoding.md).
    /// </summary>
    public bool ScaledDecode { get; init; } = true;

    /// <summary>An alteration applied while resizing (for features of augmented copies).</summary>
    public ImageAugmentation Augmentation { get; init; } = ImageAugmentation.None;

    /// <summary>Throws unless an image of <paramref name="width"/>×<paramref name="height"/> is within the pixel and aspect limits.</summary>
    /// <exception cref="ImageDecodeException">naming the size and the limit.</exception>
    public void EnsureWithinLimits(int width, int height, string source)
    {
        if (width <= 0 || height <= 0 || (long)width * height > MaxPixels)
        {
            throw new ImageDecodeException(source,
                $"image dimensions {width}×{height} are outside the accepted range (at most {MaxPixels:N0} pixels)",
                ImageProblem.TooLarge);
        }
        if (Math.Max(width, height) > (long)MaxAspectRatio * Math.Min(width, height))
        {
            throw new ImageDecodeException(source,
                $"absurd image dimensions {width}×{height} (one side more than {MaxAspectRatio} times the other)",
                ImageProblem.AbsurdDimensions);
        }
    }
}
