using Lookalike.Collections;
using Lookalike.Errors;

namespace Lookalike.Onnx.Models;

/// <summary>Picks the model for a collection: the one asked for, else the collection's own, else the default location.</summary>
public static class ExtractorFactory
{
    /// <summary>
    /// The ResNet50 (Keras preprocessing) extractor for <paramref name="collectionFolder"/>: <paramref name="explicitModel"/>
    /// when given, else the model the collection was built with, else <see cref="ModelLocator.Resolve"/>.
    /// </summary>
    /// <exception cref="LookalikeException">when the collection's model file no longer exists.</exception>
    public static OnnxFeatureExtractor ForCollection(string collectionFolder, string? explicitModel,
        Func<OnnxFeatureExtractorOptions, OnnxFeatureExtractorOptions>? tune = null)
    {
        string modelPath;
        var recorded = EmbeddedCollection.ReadModel(collectionFolder);
        if (explicitModel is null && recorded is not null)
        {
            modelPath = File.Exists(recorded.Path)
                ? recorded.Path
                : throw new LookalikeException(
                    $"Collection '{collectionFolder}' was built with {recorded.Path}, which no longer exists; give --model PATH to the same model.");
        }
        else
        {
            modelPath = ModelLocator.Resolve(explicitModel);
        }
        // Messages and manifests name the model by its own file, not by its preprocessing profile.
        var options = OnnxFeatureExtractorOptions.ResNet50Keras(modelPath) with { ModelId = Path.GetFileNameWithoutExtension(modelPath) };
        return new OnnxFeatureExtractor(tune is null ? options : tune(options));
    }
}
