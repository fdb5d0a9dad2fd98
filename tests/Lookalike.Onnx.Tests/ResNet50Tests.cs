using System.Text.Json;
using Lookalike.Features;
using Lookalike.Indexes;
using Lookalike.Tests.Common;

namespace Lookalike.Onnx.Tests;

/// <summary>The real Keras ResNet50 on the reference photos.</summary>
public sealed class ResNet50Tests(ModelFixture model) : IClassFixture<ModelFixture>
{
    private static ImageInput Photo(string name) => new(name, File.ReadAllBytes(TestData.Photo(name)));

    [SharedDataFact]
    public async Task Reference_photos_get_their_ImageNet_class()
    {
        using var classifier = new OnnxFeatureExtractor(OnnxFeatureExtractorOptions.ResNet50Keras(TestData.ModelPath) with { OutputName = "probs" });
        var labels = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(TestData.ImageNetLabelsPath))!;
        float[] probs = await classifier.ExtractAsync([Photo("chelsea.png"), Photo("coffee.png")]);
        Assert.Equal(2000, probs.Length);

        string Top1(int row)
        {
            var p = probs.AsSpan(row * 1000, 1000);
            int best = 0;
            for (int i = 1; i < 1000; i++) if (p[i] > p[best]) best = i;
            Assert.True(p[best] > 0.5f, $"top-1 probability {p[best]} is low: preprocessing is likely wrong");
            return labels[best.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        }
        Assert.Equal("Egyptian_cat", Top1(0));
        Assert.Equal("espresso", Top1(1));
    }

    [SharedDataFact]
    public async Task Features_are_2048_dimensional_and_independent_of_the_batch()
    {
        var inputs = new[] { Photo("chelsea.png"), Photo("coffee.png"), Photo("rocket.jpg") };
        float[] alone = await model.Features.ExtractAsync([inputs[2]]);
        using var batched = new OnnxFeatureExtractor(OnnxFeatureExtractorOptions.ResNet50Keras(TestData.ModelPath) with { BatchSize = 3 });
        float[] inBatch = await batched.ExtractAsync(inputs);

        Assert.Equal(2048, model.Features.Metadata.Dimension);
        Assert.Equal(3 * 2048, inBatch.Length);
        var third = inBatch.AsSpan(2 * 2048, 2048);
        for (int j = 0; j < 2048; j++) Assert.Equal(alone[j], third[j], 1e-5);
        Assert.True(alone.Max() > 0.1f, "features must not be all zero");
    }

    [SharedDataFact]
    public async Task A_reencoded_photo_is_its_own_nearest_neighbour_among_cifar_images()
    {
        var database = TestData.CifarSample(TestData.Cifar10Test, perClass: 20)
            .Select(f => new ImageInput(f.Path, File.ReadAllBytes(f.Path))).ToList();
        database.Add(Photo("chelsea.png"));
        float[] vectors = await model.Features.ExtractAsync(database);
        var query = new ImageInput("chelsea-q70-half.jpg", TestImages.ReencodeJpeg(TestData.Photo("chelsea.png"), 0.5, 70));
        float[] q = await model.Features.ExtractAsync([query]);

        foreach (var metric in new[] { DistanceMetric.L2, DistanceMetric.Cosine })
        {
            using var index = new Flat(2048, metric);
            index.Add(vectors, RandomVectors.Ids(database.Count));
            var ids = new long[2];
            var distances = new float[2];
            index.Search(q, 2, distances, ids);
            Assert.Equal(database.Count - 1, ids[0]);
            Assert.True(distances[0] < distances[1], $"{metric}: the photo must be clearly nearer than any CIFAR image");
        }
    }
}
