using Lookalike.Features;
using Lookalike.Indexes;
using Lookalike.Onnx.Imaging;
using Lookalike.Tests.Common;
using SkiaSharp;

namespace Lookalike.Onnx.Tests;

public sealed class AugmentationTests
{
    private static byte[] Mirrored(string path)
    {
        using var original = SKBitmap.Decode(path);
        using var surface = SKSurface.Create(new SKImageInfo(original.Width, original.Height));
        surface.Canvas.Translate(original.Width, 0);
        surface.Canvas.Scale(-1, 1);
        surface.Canvas.DrawBitmap(original, 0, 0);
        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    [SharedDataFact]
    public void Flip_mirrors_the_decoded_pixels()
    {
        byte[] photo = File.ReadAllBytes(TestData.Photo("coffee.png"));
        var plain = new ImageLoader().Load(photo, "coffee.png", 64, 48);
        var flipped = new ImageLoader(new ImageLoaderOptions { Augmentation = ImageAugmentation.Flip }).Load(photo, "coffee.png", 64, 48);
        double difference = 0;
        for (int y = 0; y < 48; y++)
        {
            for (int x = 0; x < 64; x++)
            {
                for (int c = 0; c < 3; c++) difference += Math.Abs(plain.Rgba[(((y * 64) + x) * 4) + c] - flipped.Rgba[(((y * 64) + 63 - x) * 4) + c]);
            }
        }
        Assert.True(difference / (64 * 48 * 3) < 1.0, $"mean difference {difference / (64 * 48 * 3):F2} levels");
        var cropped = new ImageLoader(new ImageLoaderOptions { Augmentation = ImageAugmentation.Crop }).Load(photo, "coffee.png", 64, 48);
        Assert.NotEqual(plain.Rgba, cropped.Rgba);
    }

    [SharedDataFact]
    public async Task Features_of_the_flip_augmentation_are_those_of_a_mirrored_file()
    {
        var options = OnnxFeatureExtractorOptions.ResNet50Keras(TestData.ModelPath);
        using var plain = new OnnxFeatureExtractor(options);
        using var flipping = new OnnxFeatureExtractor(options with { Loader = new ImageLoaderOptions { Augmentation = ImageAugmentation.Flip } });
        string path = TestData.Photo("chelsea.png");
        float[] mirroredFile = await plain.ExtractAsync([new ImageInput("mirrored.png", Mirrored(path))]);
        float[] augmented = await flipping.ExtractAsync([new ImageInput(path, await File.ReadAllBytesAsync(path))]);
        float[] original = await plain.ExtractAsync([new ImageInput(path, await File.ReadAllBytesAsync(path))]);

        Assert.True(Distances.CosineSimilarity(mirroredFile, augmented) > 0.995f);
        Assert.True(Distances.CosineSimilarity(original, augmented) < Distances.CosineSimilarity(mirroredFile, augmented));
        Assert.Contains("augmented: flip", flipping.Metadata.Preprocessing);
        Assert.DoesNotContain("augmented", plain.Metadata.Preprocessing);
    }
}
