using Lookalike.Collections;
using Lookalike.Errors;
using Lookalike.Onnx;
using Lookalike.Onnx.Models;

namespace Lookalike.Cli.Commands;

/// <summary>Picks the model for a command: --model, else the collection's own, else the default location.</summary>
internal static class ExtractorFactory
{
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
        var options = OnnxFeatureExtractorOptions.ResNet50Keras(modelPath);
        return new OnnxFeatureExtractor(tune is null ? options : tune(options));
    }
}
