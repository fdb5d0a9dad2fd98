using System.Globalization;
using System.Text.Json;
using Lookalike.Features;
using Lookalike.Tests.Common;

namespace Lookalike.Onnx.Tests;

/// <summary>
/// The ResNet50 features of the three reference photos, against values recorded in
/// <c>Golden/resnet50-photos.json</c>: any change to decoding, resizing, preprocessing or the model
/// shows up here. Set LOOKALIKE_WRITE_GOLDEN=1 to record them again after an intended change.
/// </summary>
public sealed class GoldenFeatureTests(ModelFixture model) : IClassFixture<ModelFixture>
{
    private static readonly string[] Photos = ["chelsea.png", "coffee.png", "rocket.jpg"];

    private static string GoldenPath([System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "Golden", "resnet50-photos.json");

    [SharedDataFact]
    public async Task Reference_photo_features_match_the_recorded_ones_within_1e_4()
    {
        var features = new Dictionary<string, float[]>();
        foreach (string photo in Photos)
            features[photo] = await model.Features.ExtractAsync([new ImageInput(photo, await File.ReadAllBytesAsync(TestData.Photo(photo)))]);
        if (Environment.GetEnvironmentVariable("LOOKALIKE_WRITE_GOLDEN") == "1")
        {
            await File.WriteAllTextAsync(GoldenPath(), JsonSerializer.Serialize(features.ToDictionary(f => f.Key,
                f => f.Value.Select(v => v.ToString("R", CultureInfo.InvariantCulture)).ToArray())));
        }
        var golden = JsonSerializer.Deserialize<Dictionary<string, string[]>>(await File.ReadAllTextAsync(GoldenPath()))!;
        foreach (string photo in Photos)
        {
            float[] expected = [.. golden[photo].Select(v => float.Parse(v, CultureInfo.InvariantCulture))];
            float[] actual = features[photo];
            Assert.Equal(2048, expected.Length);
            Assert.Equal(expected.Length, actual.Length);
            double worst = 0;
            int at = 0;
            for (int j = 0; j < expected.Length; j++)
            {
                // Absolute for small activations, relative for large ones (they reach tens).
                double error = Math.Abs(actual[j] - expected[j]) / Math.Max(1, Math.Abs(expected[j]));
                if (error > worst) (worst, at) = (error, j);
            }
            Assert.True(worst <= 1e-4, $"{photo}: feature {at} is {actual[at]}, recorded {expected[at]} (error {worst:E2})");
        }
    }
}
