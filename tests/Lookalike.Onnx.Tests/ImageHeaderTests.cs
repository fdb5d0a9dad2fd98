using Lookalike.Errors;
using Lookalike.Onnx.Imaging;
using Lookalike.Tests.Common;
using SkiaSharp;

namespace Lookalike.Onnx.Tests;

public sealed class ImageHeaderTests
{
    [Theory]
    [InlineData(SKEncodedImageFormat.Jpeg, 90, "jpeg")]
    [InlineData(SKEncodedImageFormat.Png, 100, "png")]
    [InlineData(SKEncodedImageFormat.Webp, 80, "webp")]
    [InlineData(SKEncodedImageFormat.Webp, 100, "webp")]
    public void Encoded_images_report_their_format_and_size(SKEncodedImageFormat format, int quality, string expected)
    {
        using var bitmap = TestImages.Solid(123, 45, SKColors.Teal);
        var header = ImageHeader.Read(TestImages.Encode(bitmap, format, quality), "image");
        Assert.Equal(new ImageHeader(expected, 123, 45), header);
    }

    [Fact]
    public void Gif_and_bmp_headers_are_read()
    {
        Assert.Equal(new ImageHeader("gif", 17, 17), ImageHeader.Read(HostileImages.AnimatedGif(17, 2), "a.gif"));
        using var bitmap = TestImages.Solid(31, 7, SKColors.Red);
        byte[] bmp = HostileImages.Bmp(bitmap);
        Assert.Equal(new ImageHeader("bmp", 31, 7), ImageHeader.Read(bmp, "a.bmp"));
        Assert.Equal(31, new ImageLoader().Load(bmp, "a.bmp", 8, 8).OriginalWidth);
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 1, 0, 1, 0 }, "ICO")]
    [InlineData(new byte[] { 0, 0, 2, 0, 1, 0 }, "ICO/CUR")]
    [InlineData(new byte[] { (byte)'I', (byte)'I', 0x2A, 0, 8, 0 }, "TIFF")]
    [InlineData(new byte[] { (byte)'M', (byte)'M', 0, 0x2A, 0, 8 }, "TIFF")]
    [InlineData(new byte[] { 0, 0, 0, 0x18, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'h', (byte)'e', (byte)'i', (byte)'c' }, "HEIF")]
    [InlineData(new byte[] { 0, 0, 0x81, 0x80, 0, 0x81 }, "WBMP")]
    public void Containers_and_other_formats_are_refused_by_their_magic_bytes(byte[] start, string named)
    {
        var error = Assert.Throws<ImageDecodeException>(() => ImageHeader.Read(start, "upload.png"));
        Assert.Equal(ImageProblem.Unsupported, error.Problem);
        Assert.Contains(named, error.Reason);
        Assert.Contains("supported: JPEG, PNG, GIF, BMP, WebP", error.Reason);
    }

    [Fact]
    public void A_header_cut_short_is_truncated_and_a_zero_side_is_refused()
    {
        byte[] png = HostileImages.BlackPng(10, 10);
        Assert.Equal(ImageProblem.Truncated, Assert.Throws<ImageDecodeException>(() => ImageHeader.Read(png[..20], "p.png")).Problem);
        Assert.Equal(ImageProblem.AbsurdDimensions, Assert.Throws<ImageDecodeException>(() => ImageHeader.Read(HostileImages.BlackPng(0, 10), "p.png")).Problem);
    }

    [Fact]
    public void Declared_sizes_over_the_limit_are_refused_before_decoding()
    {
        var error = Assert.Throws<ImageDecodeException>(() => new ImageLoader().Load(HostileImages.BlackPng(8000, 7000), "bomb.png", 224, 224));
        Assert.Equal(ImageProblem.TooLarge, error.Problem);
        Assert.Contains("50,000,000", error.Reason);
        var allowed = new ImageLoader(new ImageLoaderOptions { MaxPixels = 60_000_000 });
        Assert.Equal(8000, allowed.Probe(HostileImages.BlackPng(8000, 7000), "bomb.png").Width);
    }
}
