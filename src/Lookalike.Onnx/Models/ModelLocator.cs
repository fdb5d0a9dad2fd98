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

    /// <summary>Resolves the model path or explains how to get a model.</summary>
    /// <exception cref="LookalikeException">when no model file can be found.</exception>
    public static string Resolve(string? explicitPath)
    {
        if (explicitPath is { Length: > 0 })
        {
            return File.Exists(explicitPath)
                ? Path.GetFullPath(explicitPath)
                : throw new LookalikeException($"Model file '{explicitPath}' does not exist.");
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
                $"No model found: give --model PATH (an ONNX file), set LOOKALIKE_MODEL, or place {ResNet50FileName} in {ModelsDirectory}.");
    }
}
