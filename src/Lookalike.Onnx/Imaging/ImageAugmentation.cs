using Lookalike.Errors;

namespace Lookalike.Onnx.Imaging;

/// <summary>A deterministic change applied while decoding, to extract features of an altered copy (training augmentation).</summary>
public enum ImageAugmentation
{
    /// <summary>The image as it is.</summary>
    None,

    /// <summary>Mirrored left to right.</summary>
    Flip,

    /// <summary>The central 80 % (of each side), resized to the full input.</summary>
    Crop,
}

/// <summary>Parsing and naming of <see cref="ImageAugmentation"/>.</summary>
public static class ImageAugmentations
{
    /// <summary>Share of each side kept by <see cref="ImageAugmentation.Crop"/>.</summary>
    public const float CropShare = 0.8f;

    /// <summary>Parses "flip,crop" (any order, any case; empty for none).</summary>
    /// <exception cref="LookalikeException">for an unknown name.</exception>
    public static IReadOnlyList<ImageAugmentation> ParseList(string? text) =>
        [.. (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(name => name.ToLowerInvariant() switch
        {
            "flip" => ImageAugmentation.Flip,
            "crop" => ImageAugmentation.Crop,
            _ => throw new LookalikeException($"Unknown augmentation '{name}'; known: flip, crop."),
        }).Distinct()];
}
