using SkiaSharp;

namespace Lookalike.Onnx.Tests;

/// <summary>Builds test images with SkiaSharp: re-encodings, broken files, alpha and palette images.</summary>
internal static class TestImages
{
    public static byte[] ReencodeJpeg(string path, double scale, int quality)
    {
        using var original = SKBitmap.Decode(path);
        var info = new SKImageInfo((int)(original.Width * scale), (int)(original.Height * scale));
        using var resized = original.Resize(info, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
        using var image = SKImage.FromBitmap(resized);
        return image.Encode(SKEncodedImageFormat.Jpeg, quality).ToArray();
    }

    public static byte[] Encode(SKBitmap bitmap, SKEncodedImageFormat format, int quality = 90)
    {
        using var image = SKImage.FromBitmap(bitmap);
        return image.Encode(format, quality).ToArray();
    }

    public static SKBitmap Solid(int width, int height, SKColor color, SKAlphaType alpha = SKAlphaType.Premul)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, alpha));
        bitmap.Erase(color);
        return bitmap;
    }
}
