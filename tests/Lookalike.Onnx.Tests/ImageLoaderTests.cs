using Lookalike.Errors;
using Lookalike.Onnx.Imaging;
using Lookalike.Tests.Common;
using SkiaSharp;

namespace Lookalike.Onnx.Tests;

public sealed class ImageLoaderTests
{
    private readonly ImageLoader _loader = new();

    private static (byte R, byte G, byte B) Pixel(DecodedImage image, int x, int y)
    {
        int i = ((y * image.Width) + x) * 4;
        return (image.Rgba[i], image.Rgba[i + 1], image.Rgba[i + 2]);
    }

    [Fact]
    public void Zero_byte_file_is_rejected_with_a_reason()
    {
        var error = Assert.Throws<ImageDecodeException>(() => _loader.Load([], "empty.jpg", 224, 224));
        Assert.Equal("empty.jpg", error.Source);
        Assert.Contains("empty", error.Reason);
    }

    [Fact]
    public void Text_named_jpg_is_not_an_image()
    {
        var error = Assert.Throws<ImageDecodeException>(() => _loader.Load("hello, I am text"u8, "notes.jpg", 224, 224));
        Assert.Contains("not a supported image format", error.Reason);
    }

    [Fact]
    public void Truncated_jpeg_is_rejected()
    {
        using var bitmap = TestImages.Solid(300, 200, SKColors.Orange);
        byte[] jpeg = TestImages.Encode(bitmap, SKEncodedImageFormat.Jpeg);
        var error = Assert.Throws<ImageDecodeException>(() => _loader.Load(jpeg.AsSpan(0, jpeg.Length / 2), "cut.jpg", 224, 224));
        Assert.Contains("truncated", error.Reason);
    }

    [Fact]
    public void Absurd_dimensions_are_rejected_before_decoding()
    {
        using var bitmap = TestImages.Solid(400, 300, SKColors.Gray);
        byte[] png = TestImages.Encode(bitmap, SKEncodedImageFormat.Png);
        var strict = new ImageLoader(new ImageLoaderOptions { MaxPixels = 10_000 });
        var error = Assert.Throws<ImageDecodeException>(() => strict.Load(png, "big.png", 224, 224));
        Assert.Contains("400×300", error.Reason);
    }

    [Fact]
    public void Transparent_pixels_are_composited_on_white()
    {
        using var bitmap = TestImages.Solid(64, 64, SKColors.Transparent, SKAlphaType.Unpremul);
        for (int x = 0; x < 32; x++)
            for (int y = 0; y < 64; y++) bitmap.SetPixel(x, y, SKColors.Blue);
        var image = _loader.Load(TestImages.Encode(bitmap, SKEncodedImageFormat.Png), "alpha.png", 64, 64);
        Assert.Equal((0, 0, 255), ((int, int, int))Pixel(image, 5, 30));
        Assert.Equal((255, 255, 255), ((int, int, int))Pixel(image, 60, 30));
    }

    [Theory]
    [InlineData(SKEncodedImageFormat.Png)]
    [InlineData(SKEncodedImageFormat.Jpeg)]
    [InlineData(SKEncodedImageFormat.Webp)]
    public void Common_formats_decode_to_rgb(SKEncodedImageFormat format)
    {
        using var bitmap = TestImages.Solid(50, 40, new SKColor(200, 30, 40));
        var image = _loader.Load(TestImages.Encode(bitmap, format, 100), $"x.{format}", 32, 32);
        var (r, g, b) = Pixel(image, 16, 16);
        Assert.InRange(r, 190, 210);
        Assert.InRange(g, 20, 45);
        Assert.InRange(b, 30, 55);
        Assert.Equal((50, 40), (image.OriginalWidth, image.OriginalHeight));
    }

    [Fact]
    public void Grey_gif_and_bmp_files_decode()
    {
        // Minimal hand-written files: a 1×1 GIF (palette) and a 2×1 24-bit BMP.
        byte[] gif = Convert.FromBase64String("R0lGODlhAQABAIAAAP///wAAACwAAAAAAQABAAACAkQBADs=");
        byte[] bmp =
        [
            0x42, 0x4D, 0x3E, 0, 0, 0, 0, 0, 0, 0, 0x36, 0, 0, 0, 0x28, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1, 0, 24, 0, 0, 0, 0, 0,
            8, 0, 0, 0, 0x13, 0x0B, 0, 0, 0x13, 0x0B, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 255, 255, 0, 0, 0, 0,
        ];
        var fromGif = _loader.Load(gif, "dot.gif", 8, 8);
        Assert.Equal((255, 255, 255), ((int, int, int))Pixel(fromGif, 4, 4));
        var fromBmp = _loader.Load(bmp, "two.bmp", 2, 1);
        Assert.Equal((255, 0, 0), ((int, int, int))Pixel(fromBmp, 0, 0));
        Assert.Equal((0, 0, 255), ((int, int, int))Pixel(fromBmp, 1, 0));

        using var grey = new SKBitmap(new SKImageInfo(20, 20, SKColorType.Gray8, SKAlphaType.Opaque));
        grey.Erase(new SKColor(90, 90, 90));
        var fromGrey = _loader.Load(TestImages.Encode(grey, SKEncodedImageFormat.Png), "grey.png", 10, 10);
        Assert.Equal((90, 90, 90), ((int, int, int))Pixel(fromGrey, 5, 5));
    }

    [Fact]
    public void Exif_orientation_is_applied()
    {
        // Stored 40×20: left half red, right half blue; EXIF orientation 6 = rotate 90° clockwise to display.
        using var bitmap = TestImages.Solid(40, 20, SKColors.Blue);
        for (int x = 0; x < 20; x++)
            for (int y = 0; y < 20; y++) bitmap.SetPixel(x, y, SKColors.Red);
        byte[] jpeg = WithExifOrientation(TestImages.Encode(bitmap, SKEncodedImageFormat.Jpeg, 100), 6);

        var image = _loader.Load(jpeg, "rotated.jpg", 20, 40);
        Assert.Equal((20, 40), (image.OriginalWidth, image.OriginalHeight));
        Assert.True(Pixel(image, 10, 5).R > 200 && Pixel(image, 10, 5).B < 60, "the displayed top must be red");
        Assert.True(Pixel(image, 10, 35).B > 200 && Pixel(image, 10, 35).R < 60, "the displayed bottom must be blue");
        Assert.Equal(("jpeg", 20, 40), _loader.Probe(jpeg, "rotated.jpg"));
    }

    [SharedDataFact]
    public void Large_jpegs_decode_at_reduced_scale_to_nearly_the_same_pixels()
    {
        byte[] big = TestImages.ReencodeJpeg(TestData.Photo("coffee.png"), 4, 90);
        var scaled = _loader.Load(big, "big.jpg", 224, 224);
        var full = new ImageLoader(new ImageLoaderOptions { ScaledDecode = false }).Load(big, "big.jpg", 224, 224);
        double meanAbsolute = scaled.Rgba.Zip(full.Rgba, (a, b) => Math.Abs(a - b)).Average();
        Assert.Equal((2400, 1600), (scaled.OriginalWidth, scaled.OriginalHeight));
        Assert.True(meanAbsolute < 4, $"scaled decode differs by {meanAbsolute:F2} grey levels on average");
    }

    /// <summary>Inserts an APP1 Exif segment holding only the orientation tag right after the JPEG's SOI marker.</summary>
    private static byte[] WithExifOrientation(byte[] jpeg, ushort orientation)
    {
        byte[] payload =
        [
            .."Exif\0\0"u8, (byte)'M', (byte)'M', 0, 42, 0, 0, 0, 8,
            0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, (byte)(orientation >> 8), (byte)orientation, 0, 0,
            0, 0, 0, 0,
        ];
        int length = payload.Length + 2;
        byte[] segment = [0xFF, 0xE1, (byte)(length >> 8), (byte)length, .. payload];
        return [.. jpeg[..2], .. segment, .. jpeg[2..]];
    }
}
