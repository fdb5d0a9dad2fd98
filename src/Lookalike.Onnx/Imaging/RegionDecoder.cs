using System.Runtime.InteropServices;
using Lookalike.Features;
using SkiaSharp;

namespace Lookalike.Onnx.Imaging;

/// <summary>
/// Decodes one region of an image at the network's input size. The container is only ever opened by the given decoder
/// (in a worker process for untrusted input): once to learn the oriented size, once at the size at which the region
/// comes out at the input size; the region is then cut from those raw pixels and resized here.
/// </summary>
public static class RegionDecoder
{
    /// <summary>The pixels of <paramref name="region"/> of <paramref name="encoded"/>, resized to <paramref name="width"/>×<paramref name="height"/>.</summary>
    /// <exception cref="Errors.ImageDecodeException">when the image cannot be decoded or the region does not fit inside it.</exception>
    public static DecodedImage Load(IImageDecoder decoder, ReadOnlySpan<byte> encoded, string source, ImageRegion region, int width, int height)
    {
        var probe = decoder.Load(encoded, source, 1, 1);
        int fullWidth = probe.OriginalWidth, fullHeight = probe.OriginalHeight;
        region.CheckInside(fullWidth, fullHeight, source);
        // The whole image at the scale that makes the region the input size (never larger than the image itself).
        int decodeWidth = Math.Clamp((int)Math.Ceiling((double)width * fullWidth / region.Width), 1, Math.Max(fullWidth, width));
        int decodeHeight = Math.Clamp((int)Math.Ceiling((double)height * fullHeight / region.Height), 1, Math.Max(fullHeight, height));
        var whole = decoder.Load(encoded, source, decodeWidth, decodeHeight);
        double sx = (double)whole.Width / fullWidth, sy = (double)whole.Height / fullHeight;
        var cut = SKRect.Create((float)(region.X * sx), (float)(region.Y * sy), (float)(region.Width * sx), (float)(region.Height * sy));

        var pixels = new byte[width * height * 4];
        var sourceInfo = new SKImageInfo(whole.Width, whole.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        var handle = GCHandle.Alloc(whole.Rgba, GCHandleType.Pinned);
        try
        {
            using var sourcePixels = new SKPixmap(sourceInfo, handle.AddrOfPinnedObject(), sourceInfo.RowBytes);
            using var image = SKImage.FromPixels(sourcePixels);
            using var target = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
            using (var canvas = new SKCanvas(target))
            {
                canvas.Clear(SKColors.White);
                using var paint = new SKPaint();
                canvas.DrawImage(image, cut, SKRect.Create(width, height), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None), paint);
            }
            target.GetPixelSpan().CopyTo(pixels);
        }
        finally
        {
            handle.Free();
        }
        return new DecodedImage(pixels, width, height, fullWidth, fullHeight);
    }
}
