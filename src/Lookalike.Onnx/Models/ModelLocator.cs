using Lookalike.Errors;

namespace Lookalike.Onnx.Models;

/// <summary>
/// Finds the model file to use: an explicit path, else <c>LOOKALIKE_MODEL</c>, else the default
/// models folder (<c>~/.local/share/lookalike/models</c>, or <c>LOOKALIKE_HOME</c>/models).
/// </summary>
public static class ModelLocator
{
    /// <summary>File name of the ResNet50 model in the models folder.</summary>
    public const string ResNet50FileName = "resnet50.onnx";

    /// <summary>Lookalike's data folder: <c>LOOKALIKE_HOME</c>, or the user's local data folder.</summary>
    public static string DataDirectory =>
        Environment.GetEnvironmentVariable("LOOKALIKE_HOME") is { Length: > 0 } home
            ? Path.GetFullPath(home)
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData,
                Environment.SpecialFolderOption.Create), "lookalike");

    /// <summary>Where model hashes are remembered between runs (<see cref="IO.FileHashCache"/>).</summary>
    public static IO.FileHashCache HashCache => new(Path.Combine(DataDirectory, "cache", "model-hashes"));

    /// <summary>The default models folder.</summary>
    public static string ModelsDirectory => Path.Combine(DataDirectory, "models");

    /// <summary>
    /// Resolves <c>--model</c>: a backbone name (<see cref="Backbones"/>: its file in the models folder), a path to an
    /// ONNX file, or nothing (<c>LOOKALIKE_MODEL</c>, else the models folder's ResNet50). Explains how to get a model
    /// that is missing.
    /// </summary>
    /// <exception cref="LookalikeException">when no model file can be found.</exception>
    public static string Resolve(string? modelOrPath)
    {
        if (modelOrPath is { Length: > 0 })
        {
            if (Backbones.Find(modelOrPath) is { } backbone && !File.Exists(modelOrPath)) return PathOf(backbone);
            return File.Exists(modelOrPath)
                ? Path.GetFullPath(modelOrPath)
                : throw new LookalikeException(
                    $"Model file '{modelOrPath}' does not exist; give the path of an ONNX file or one of the backbones {Backbones.Names}.");
        }
        if (Environment.GetEnvironmentVariable("LOOKALIKE_MODEL") is { Length: > 0 } fromEnvironment)
        {
            return File.Exists(fromEnvironment)
                ? Path.GetFullPath(fromEnvironment)
                : throw new LookalikeException($"LOOKALIKE_MODEL names '{fromEnvironment}', which does not exist.");
        }
        string standard = Path.Combine(ModelsDirectory, ResNet50FileName);
        return File.Exists(standard)
            ? standard
            : throw new LookalikeException(
                $"No model found: run 'lookalike model fetch resnet50', give --model NAME|PATH ({Backbones.Names}, or an ONNX file), " +
                $"or set LOOKALIKE_MODEL.");
    }

    private static string PathOf(Backbone backbone)
    {
        string path = backbone.PathIn(ModelsDirectory);
        return File.Exists(path)
            ? path
            : throw new LookalikeException($"Backbone {backbone.Name} is not in {ModelsDirectory} yet; run 'lookalike model fetch {backbone.Name}'.");
    }
}
