using System.Text.Json;
using Lookalike.Features;

namespace Lookalike.Onnx;

/// <summary>"What the model sees": the backbone's own classifier output, when it has one, with the class names beside the model.</summary>
public sealed partial class OnnxFeatureExtractor : IImageClassifier
{
    /// <summary>The classifier output of the ImageNet backbones.</summary>
    public const string ClassifierOutput = "probs";

    private Lazy<string[]?>? _classNames;

    private string[]? ClassNames => (_classNames ??= new Lazy<string[]?>(() => ReadClassNames(_options.ModelPath))).Value;

    /// <inheritdoc/>
    public bool CanClassify => _session.OutputMetadata.ContainsKey(ClassifierOutput) && ClassNames is { } names
        && _session.OutputMetadata[ClassifierOutput].Dimensions is [.., var classes] && classes == names.Length;

    /// <inheritdoc/>
    public Task<IReadOnlyList<ClassGuess>> ClassifyAsync(ImageInput image, int top, CancellationToken cancellationToken = default)
    {
        if (!CanClassify) throw new InvalidOperationException($"Model '{_options.ModelPath}' has no classifier with class names.");
        return Task.Run<IReadOnlyList<ClassGuess>>(() =>
        {
            var tensor = new float[TensorLength];
            Prepare(image, tensor);
            float[] probabilities = Run(tensor, 1, ClassifierOutput);
            var names = ClassNames!;
            return [.. Enumerable.Range(0, probabilities.Length).OrderByDescending(i => probabilities[i]).Take(Math.Max(1, top))
                .Select(i => new ClassGuess(names[i], probabilities[i]))];
        }, cancellationToken);
    }

    /// <summary>
    /// The class names beside the model: <c>NAME.labels.json</c> (what <c>lookalike model fetch</c> writes) or <c>imagenet-labels.json</c>,
    /// a JSON object from class index to name; null when neither is there or readable.
    /// </summary>
    public static string[]? ReadClassNames(string modelPath)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(modelPath)) ?? ".";
        foreach (string candidate in new[] { Path.ChangeExtension(Path.GetFullPath(modelPath), ".labels.json"), Path.Combine(folder, "imagenet-labels.json") })
        {
            try
            {
                if (!File.Exists(candidate)) continue;
                var map = JsonSerializer.Deserialize<Dictionary<int, string>>(File.ReadAllBytes(candidate));
                if (map is null || map.Count == 0 || !Enumerable.Range(0, map.Count).All(map.ContainsKey)) continue;
                return [.. Enumerable.Range(0, map.Count).Select(i => map[i])];
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
            {
                // An unreadable file is no class names; the next candidate may do.
            }
        }
        return null;
    }
}
