using Lookalike.Features;
using Lookalike.Tests.Common;

namespace Lookalike.Onnx.Tests;

/// <summary>"What the model sees": the backbone's classifier and the class names found beside the model.</summary>
public sealed class ClassifierTests(ModelFixture model) : IClassFixture<ModelFixture>, IDisposable
{
    private readonly TempDirectory _temp = new();

    [SharedDataFact]
    public async Task The_reference_model_names_the_classes_of_the_photos_most_probable_first()
    {
        Assert.True(model.Features.CanClassify);
        var coffee = await model.Features.ClassifyAsync(new ImageInput("coffee.png", await File.ReadAllBytesAsync(TestData.Photo("coffee.png"))), 5);
        Assert.Equal(5, coffee.Count);
        Assert.Equal("espresso", coffee[0].Label);
        Assert.True(coffee[0].Probability > 0.5f);
        Assert.True(coffee.Zip(coffee.Skip(1)).All(p => p.First.Probability >= p.Second.Probability));
    }

    [Fact]
    public void Class_names_come_from_the_labels_file_beside_the_model_and_a_bad_one_is_none()
    {
        string modelPath = _temp.Combine("net.onnx");
        Assert.Null(OnnxFeatureExtractor.ReadClassNames(modelPath));
        File.WriteAllText(_temp.Combine("net.labels.json"), """{"0": "cat", "1": "dog"}""");
        Assert.Equal(["cat", "dog"], OnnxFeatureExtractor.ReadClassNames(modelPath)!);
        File.WriteAllText(_temp.Combine("net.labels.json"), """{"0": "cat", "2": "gap"}""");
        Assert.Null(OnnxFeatureExtractor.ReadClassNames(modelPath));
        File.WriteAllText(_temp.Combine("imagenet-labels.json"), """{"0": "tench"}""");
        Assert.Equal(["tench"], OnnxFeatureExtractor.ReadClassNames(modelPath)!);
    }

    public void Dispose() => _temp.Dispose();
}
