using System.Runtime.InteropServices;
using SkiaSharp;

namespace Lookalike.Onnx.Imaging;

/// <summary>Makes small JPEG previews that keep the image's aspect ratio and EXIF orientation.</summary>
/// <remarks>Stateless and thread-safe.</remarks>
public sealed class Thumbnailer(ImageLoader loader)
{
    /// <summary>JPEG quality of the previews.</summary>
    public const int Quality = 82;

    /// <summary>Encodes <paramref name="encoded"/> as a JPEG whose longer side is at most <paramref name="maxSide"/> pixels.</summary>
    /// <exception cref="Errors.ImageDecodeException">when the image cannot be decoded.</exception>
    public byte[] MakeJpeg(ReadOnlySpan<byte> encoded, string source, int maxSide)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSide, 1);
        var (_, width, height) = loader.Probe(encoded, source);
        double scale = Math.Min(1.0, (double)maxSide / Math.Max(width, height));
        int w = Math.Max(1, (int)Math.Round(width * scale)), h = Math.Max(1, (int)Math.Round(height * scale));
        var decoded = loader.Load(encoded, source, w, h);
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
