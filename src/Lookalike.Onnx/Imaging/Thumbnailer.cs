using System.Runtime.InteropServices;
using SkiaSharp;

namespace Lookalike.Onnx.Imaging;

/// <summary>Makes small JPEG previews that keep the image's aspect ratio and EXIF orientation.</summary>
/// <remarks>Stateless and thread-safe.</remarks>
public sealed class Thumbnailer(IImageDecoder decoder)
{
    /// <summary>JPEG quality of the previews.</summary>
    public const int Quality = 82;

    /// <summary>
    /// Encodes <paramref name="encoded"/>, an image of <paramref name="width"/>×<paramref name="height"/> pixels
    /// (after EXIF orientation, as recorded when it was indexed), as a JPEG whose longer side is at most
    /// <paramref name="maxSide"/> pixels.
    /// </summary>
    /// <exception cref="Errors.ImageDecodeException">when the image cannot be decoded.</exception>
    public byte[] MakeJpeg(ReadOnlySpan<byte> encoded, string source, int width, int height, int maxSide)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSide, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        double scale = Math.Min(1.0, (double)maxSide / Math.Max(width, height));
        int w = Math.Max(1, (int)Math.Round(width * scale)), h = Math.Max(1, (int)Math.Round(height * scale));
        var decoded = decoder.Load(encoded, source, w, h);
        var info = new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Premul);
        var handle = GCHandle.Alloc(decoded.Rgba, GCHandleType.Pinned);
        try
        {
            using var pixmap = new SKPixmap(info, handle.AddrOfPinnedObject(), info.RowBytes);
            using var data = pixmap.Encode(SKEncodedImageFormat.Jpeg, Quality)
                ?? throw new InvalidOperationException("SkiaSharp could not encode a JPEG thumbnail.");
            return data.ToArray();
        }
        finally
        {
            handle.Free();
        }
    }
}
