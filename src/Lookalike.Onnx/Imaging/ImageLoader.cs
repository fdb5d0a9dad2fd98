using Lookalike.Errors;
using SkiaSharp;

namespace Lookalike.Onnx.Imaging;

/// <summary>
/// Decodes JPEG, PNG, GIF (first frame), BMP and WebP with SkiaSharp; applies EXIF orientation;
/// turns grey, palette and alpha images into RGB (alpha composited on white); resizes to the
/// network's input size. Large JPEGs are decoded at a reduced scale first.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public sealed class ImageLoader(ImageLoaderOptions? options = null) : IImageDecoder
{
    private static readonly SKSamplingOptions Sampling = new(SKFilterMode.Linear, SKMipmapMode.Linear);
    private readonly ImageLoaderOptions _options = options ?? new ImageLoaderOptions();

    /// <summary>Reads only the header: format and oriented size.</summary>
    /// <exception cref="ImageDecodeException">when the bytes are not a supported image.</exception>
    public (string Format, int Width, int Height) Probe(ReadOnlySpan<byte> encoded, string source)
    {
        using var data = SKData.CreateCopy(encoded);
        using var codec = OpenCodec(data, source);
        var (w, h) = Oriented(codec.Info.Width, codec.Info.Height, codec.EncodedOrigin);
        return (codec.EncodedFormat.ToString().ToLowerInvariant(), w, h);
    }

    /// <summary>Decodes <paramref name="encoded"/> and resizes it to exactly <paramref name="width"/>×<paramref name="height"/>.</summary>
    /// <exception cref="ImageDecodeException">when the image is empty, unsupported, corrupt, truncated or too large.</exception>
    public DecodedImage Load(ReadOnlySpan<byte> encoded, string source, int width, int height)
    {
        using var data = SKData.CreateCopy(encoded);
        using var codec = OpenCodec(data, source);
        var origin = codec.EncodedOrigin;
        bool swaps = SwapsAxes(origin);
        var (originalWidth, originalHeight) = Oriented(codec.Info.Width, codec.Info.Height, origin);
        // The target measured in the stored (un-oriented) frame.
        int needW = swaps ? height : width, needH = swaps ? width : height;
        var size = _options.ScaledDecode ? SmallestScaleCovering(codec, needW, needH) : codec.Info.Size;

        var info = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var decoded = new SKBitmap(info);
        var result = codec.GetPixels(info, decoded.GetPixels());
        switch (result)
        {
            case SKCodecResult.Success:
                break;
            case SKCodecResult.IncompleteInput:
                throw new ImageDecodeException(source, "truncated image data (the file ends early)", ImageProblem.Truncated);
            default:
                throw new ImageDecodeException(source, $"corrupt image data ({result})");
        }
        decoded.SetImmutable();

        var target = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        byte[] pixels = new byte[width * height * 4];
        using (var canvasBitmap = new SKBitmap(target))
        using (var canvas = new SKCanvas(canvasBitmap))
        using (var image = SKImage.FromBitmap(decoded))
        {
            canvas.Clear(SKColors.White);
            Augment(canvas, width, height);
            var (ow, oh) = Oriented(size.Width, size.Height, origin);
            canvas.Scale((float)width / ow, (float)height / oh);
            canvas.Concat(OrientationMatrix(origin, size.Width, size.Height));
            canvas.DrawImage(image, 0, 0, Sampling);
            canvas.Flush();
            canvasBitmap.GetPixelSpan().CopyTo(pixels);
        }
        return new DecodedImage(pixels, width, height, originalWidth, originalHeight);
    }

    /// <summary>Flips or zooms the canvas about its centre before the image is drawn.</summary>
    private void Augment(SKCanvas canvas, int width, int height)
    {
        switch (_options.Augmentation)
        {
            case ImageAugmentation.Flip:
                canvas.Translate(width, 0);
                canvas.Scale(-1, 1);
                break;
            case ImageAugmentation.Crop:
                canvas.Translate(width / 2f, height / 2f);
                canvas.Scale(1 / ImageAugmentations.CropShare);
                canvas.Translate(-width / 2f, -height / 2f);
                break;
        }
    }

    /// <summary>
    /// The managed header check comes first: only documented formats within the limits reach the
    /// native decoder, which must never see a container or a pixel bomb.
    /// </summary>
    private SKCodec OpenCodec(SKData data, string source)
    {
        var header = ImageHeader.Read(data.AsSpan(), source);
        _options.EnsureWithinLimits(header.Width, header.Height, source);
        var codec = SKCodec.Create(new SKMemoryStream(data), out var result);
        if (codec is null)
        {
            throw result == SKCodecResult.IncompleteInput
                ? new ImageDecodeException(source, "truncated image data (the header is incomplete)", ImageProblem.Truncated)
                : new ImageDecodeException(source, $"corrupt {header.Format.ToUpperInvariant()} data ({result})");
        }
        try
        {
            string decoded = codec.EncodedFormat.ToString().ToLowerInvariant();
            if (decoded != header.Format)
            {
                throw new ImageDecodeException(source,
                    $"the file starts like {header.Format.ToUpperInvariant()} but decodes as {decoded.ToUpperInvariant()}", ImageProblem.Unsupported);
            }
            _options.EnsureWithinLimits(codec.Info.Width, codec.Info.Height, source);
            return codec;
        }
        catch
        {
            codec.Dispose();
            throw;
        }
    }

    /// <summary>The smallest size the codec can decode to directly that still covers <paramref name="w"/>×<paramref name="h"/>.</summary>
    private static SKSizeI SmallestScaleCovering(SKCodec codec, int w, int h)
    {
        var full = codec.Info.Size;
        for (int eighths = 1; eighths < 8; eighths++)
        {
            var size = codec.GetScaledDimensions(eighths / 8f);
            if (size.Width >= w && size.Height >= h && size.Width < full.Width) return size;
        }
        return full;
    }

    private static bool SwapsAxes(SKEncodedOrigin origin) =>
        origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;

    private static (int Width, int Height) Oriented(int width, int height, SKEncodedOrigin origin) =>
        SwapsAxes(origin) ? (height, width) : (width, height);

    /// <summary>Maps stored pixel coordinates of a w×h image to displayed coordinates (EXIF orientation).</summary>
    private static SKMatrix OrientationMatrix(SKEncodedOrigin origin, int w, int h) => origin switch
    {
        SKEncodedOrigin.TopRight => new SKMatrix(-1, 0, w, 0, 1, 0, 0, 0, 1),
        SKEncodedOrigin.BottomRight => new SKMatrix(-1, 0, w, 0, -1, h, 0, 0, 1),
        SKEncodedOrigin.BottomLeft => new SKMatrix(1, 0, 0, 0, -1, h, 0, 0, 1),
        SKEncodedOrigin.LeftTop => new SKMatrix(0, 1, 0, 1, 0, 0, 0, 0, 1),
        SKEncodedOrigin.RightTop => new SKMatrix(0, -1, h, 1, 0, 0, 0, 0, 1),
        SKEncodedOrigin.RightBottom => new SKMatrix(0, -1, h, -1, 0, w, 0, 0, 1),
        SKEncodedOrigin.LeftBottom => new SKMatrix(0, 1, 0, -1, 0, w, 0, 0, 1),
        _ => SKMatrix.Identity,
    };
}
