using Lookalike.Onnx.Imaging;
using Lookalike.Tests.Common;
using SkiaSharp;

namespace Lookalike.Onnx.Tests;

public sealed class ImageCheckerTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly ImageChecker _checker = new(new ImageLoader());

    private string Write(string name, byte[] bytes)
    {
        string path = _temp.Combine(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static byte[] Png(int width, int height)
    {
        using var bitmap = new SKBitmap(width, height);
        bitmap.Erase(SKColors.Teal);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    [SharedDataFact]
    public void Good_images_pass_and_each_fault_is_named()
    {
        byte[] photo = File.ReadAllBytes(TestData.Photo("rocket.jpg"));
        Assert.Null(_checker.Check(Write("good.jpg", photo)));
        Assert.Null(_checker.Check(Write("good.png", Png(40, 30))));

        Assert.Equal("empty", _checker.Check(Write("empty.jpg", []))!.Kind);
        Assert.Equal("unsupported", _checker.Check(Write("notes.png", "just text"u8.ToArray()))!.Kind);
        var truncated = _checker.Check(Write("cut.jpg", photo[..(photo.Length / 3)]))!;
        Assert.Equal("truncated", truncated.Kind);
        Assert.False(truncated.Decodable);
        Assert.Equal("absurd dimensions", _checker.Check(Write("line.png", Png(1000, 2)))!.Kind);

        var renamed = _checker.Check(Write("really-a-png.jpg", Png(40, 30)))!;
        Assert.Equal("wrong extension", renamed.Kind);
        Assert.True(renamed.Decodable);
        Assert.Contains("PNG", renamed.Reason);
    }

    [Fact]
    public void The_pixel_limit_is_read_from_the_header()
    {
        var strict = new ImageChecker(new ImageLoader(new ImageLoaderOptions { MaxPixels = 1000 }));
        var finding = strict.Check(Write("big.png", Png(100, 100)))!;
        Assert.Equal("too large", finding.Kind);
        Assert.Contains("100×100", finding.Reason);
    }

    public void Dispose() => _temp.Dispose();
}
