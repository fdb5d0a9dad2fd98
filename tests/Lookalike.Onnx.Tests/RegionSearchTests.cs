using Lookalike.Errors;
using Lookalike.Features;
using Lookalike.Indexes;
using Lookalike.Onnx.Imaging;
using Lookalike.Tests.Common;
using SkiaSharp;

namespace Lookalike.Onnx.Tests;

/// <summary>Searching by a region: the features of a region are those of a file holding only that region.</summary>
public sealed class RegionSearchTests(ModelFixture model) : IClassFixture<ModelFixture>
{
    private static byte[] Cut(string path, ImageRegion region)
    {
        using var original = SKBitmap.Decode(path);
        using var part = new SKBitmap(region.Width, region.Height);
        original.ExtractSubset(part, SKRectI.Create(region.X, region.Y, region.Width, region.Height));
        using var png = part.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    [SharedDataFact]
    public async Task A_region_has_the_features_of_a_file_cut_to_it_and_not_those_of_the_whole_image()
    {
        string path = TestData.Photo("chelsea.png");
        byte[] bytes = await File.ReadAllBytesAsync(path);
        var eye = new ImageRegion(90, 60, 150, 120);
        float[] region = await model.Features.ExtractAsync([new ImageInput(path, bytes) { Region = eye }]);
        float[] cutFile = await model.Features.ExtractAsync([new ImageInput("cut.png", Cut(path, eye))]);
        float[] whole = await model.Features.ExtractAsync([new ImageInput(path, bytes)]);
        float[] fullRegion = await model.Features.ExtractAsync([new ImageInput(path, bytes) { Region = new ImageRegion(0, 0, 451, 300) }]);

        Assert.True(Distances.CosineSimilarity(region, cutFile) > 0.98f, $"region vs cut file {Distances.CosineSimilarity(region, cutFile):F4}");
        Assert.True(Distances.CosineSimilarity(region, whole) < Distances.CosineSimilarity(region, cutFile));
        Assert.True(Distances.CosineSimilarity(fullRegion, whole) > 0.995f);
    }

    [SharedDataFact]
    public async Task A_region_outside_the_image_or_malformed_is_a_clear_error()
    {
        string path = TestData.Photo("coffee.png");
        var result = await model.Features.ExtractStreamAsync(
            AsAsync(new ImageInput(path, await File.ReadAllBytesAsync(path)) { Region = new ImageRegion(500, 0, 200, 100) })).SingleAsync();
        Assert.False(result.Succeeded);
        Assert.Contains("does not fit inside the image (600×400 pixels)", result.Error);
        Assert.Equal("1,2,3,4", ImageRegion.Parse(" 1, 2,3 ,4").ToString());
        foreach (string bad in new[] { "1,2,3", "1,2,0,4", "-1,2,3,4", "a,b,c,d", "1,2,3,4,5" })
            Assert.Contains("x,y,width,height", Assert.Throws<LookalikeException>(() => ImageRegion.Parse(bad)).Message);
    }

    private static async IAsyncEnumerable<ImageInput> AsAsync(ImageInput input)
    {
        await Task.Yield();
        yield return input;
    }
}
