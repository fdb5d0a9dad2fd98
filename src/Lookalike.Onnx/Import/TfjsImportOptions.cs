namespace Lookalike.Onnx.Import;

/// <summary>How <see cref="TfjsToOnnxConverter"/> names the graph's outputs.</summary>
public sealed record TfjsImportOptions
{
    /// <summary>
    /// Layer whose output becomes the <c>features</c> output; null picks the last global pooling
    /// layer (GlobalAveragePooling2D / GlobalMaxPooling2D), if any.
    /// </summary>
    public string? FeaturesLayer { get; init; }

    /// <summary>Text stored as the ONNX model's doc string (e.g. where the weights came from).</summary>
    public string Source { get; init; } = "";

    /// <summary>More ONNX metadata properties to write (e.g. how the model is fed).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}
