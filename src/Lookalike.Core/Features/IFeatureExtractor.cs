using Lookalike.Indexes;

namespace Lookalike.Features;

/// <summary>What a feature extractor produces and how its vectors should be compared.</summary>
/// <param name="ModelId">Short model name, e.g. "resnet50-keras".</param>
/// <param name="ModelSha256">SHA-256 of the model file: a collection refuses features of another model.</param>
/// <param name="ModelPath">Where the model was loaded from.</param>
/// <param name="Dimension">Length d of each feature vector.</param>
/// <param name="PreferredMetric">The metric that suits the features.</param>
/// <param name="Preprocessing">Human-readable preprocessing, e.g. "224x224 BGR minus mean (103.939,116.779,123.68)".</param>
/// <param name="HeadPath">The fine-tuned head file applied after the backbone, when there is one.</param>
/// <param name="Description">The machine-readable description the extractor can be rebuilt from.</param>
public sealed record FeatureExtractorMetadata(
    string ModelId, string ModelSha256, string ModelPath, int Dimension, DistanceMetric PreferredMetric, string Preprocessing,
    string? HeadPath = null, ModelDescription? Description = null);

/// <summary>An encoded image to extract features from.</summary>
/// <param name="Source">File path or upload name, used in messages.</param>
/// <param name="Bytes">The encoded image (JPEG, PNG, GIF, BMP, WebP).</param>
/// <param name="Tag">Caller state carried through to the result.</param>
public sealed record ImageInput(string Source, ReadOnlyMemory<byte> Bytes, object? Tag = null)
{
    /// <summary>Only this part of the image is featurised ("search by a region"); the whole image when null.</summary>
    public ImageRegion? Region { get; init; }
}

/// <summary>A rectangle of an image in its pixels after EXIF orientation: left, top, width, height.</summary>
/// <param name="X">Left edge.</param>
/// <param name="Y">Top edge.</param>
/// <param name="Width">Width (≥ 1).</param>
/// <param name="Height">Height (≥ 1).</param>
public readonly record struct ImageRegion(int X, int Y, int Width, int Height)
{
    /// <summary>Reads "x,y,w,h" (whole non-negative numbers, w and h at least 1).</summary>
    /// <exception cref="Errors.LookalikeException">when <paramref name="text"/> is not one.</exception>
    public static ImageRegion Parse(string text, string name = "crop")
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new int[4];
        if (parts.Length != 4 || parts.Where((p, i) => !int.TryParse(p, System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out values[i])).Any() || values[2] < 1 || values[3] < 1)
        {
            throw new Errors.LookalikeException($"{name} must be x,y,width,height in pixels, e.g. 10,20,200,150 (was '{IO.LineText.Short(text)}').");
        }
        return new ImageRegion(values[0], values[1], values[2], values[3]);
    }

    /// <summary>Throws unless the region lies inside an image of <paramref name="width"/>×<paramref name="height"/> pixels.</summary>
    /// <exception cref="Errors.ImageDecodeException">when it does not (the image cannot be used as asked).</exception>
    public void CheckInside(int width, int height, string source)
    {
        if ((long)X + Width > width || (long)Y + Height > height)
            throw new Errors.ImageDecodeException(source, $"the region {this} does not fit inside the image ({width}×{height} pixels)");
    }

    /// <inheritdoc/>
    public override string ToString() => $"{X},{Y},{Width},{Height}";
}

/// <summary>The outcome for one <see cref="ImageInput"/>: features, or the reason it was skipped.</summary>
/// <param name="Input">The input this result belongs to.</param>
/// <param name="Features">The d-dimensional feature vector, or null when <see cref="Error"/> is set.</param>
/// <param name="Width">Decoded width in pixels (after EXIF orientation), 0 on error.</param>
/// <param name="Height">Decoded height in pixels (after EXIF orientation), 0 on error.</param>
/// <param name="Error">Why the image could not be used.</param>
/// <param name="Problem">What kind of problem <see cref="Error"/> is, when the decoder said.</param>
public sealed record FeatureResult(ImageInput Input, float[]? Features, int Width, int Height, string? Error,
    Errors.ImageProblem? Problem = null)
{
    /// <summary>Whether features were extracted.</summary>
    public bool Succeeded => Features is not null;
}

/// <summary>
/// Maps encoded images to feature vectors with a deep network (ONNX Runtime backbone, or any other).
/// </summary>
/// <remarks>Implementations are safe to call from several threads.</remarks>
public interface IFeatureExtractor : IDisposable
{
    /// <summary>Model identity, dimension, preferred metric and preprocessing.</summary>
    FeatureExtractorMetadata Metadata { get; }

    /// <summary>
    /// Extracts features of all <paramref name="images"/> as one n×d row-major matrix.
    /// </summary>
    /// <exception cref="Errors.ImageDecodeException">when any image cannot be decoded.</exception>
    Task<float[]> ExtractAsync(IReadOnlyList<ImageInput> images, CancellationToken cancellationToken = default);

    /// <summary>
    /// Streams results for a stream of images: decoding overlaps inference, and an image that cannot
    /// be decoded yields a result with <see cref="FeatureResult.Error"/> instead of stopping the run.
    /// Results may come in a different order than the inputs.
    /// </summary>
    IAsyncEnumerable<FeatureResult> ExtractStreamAsync(IAsyncEnumerable<ImageInput> images,
        CancellationToken cancellationToken = default);
}
