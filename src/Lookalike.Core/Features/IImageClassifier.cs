namespace Lookalike.Features;

/// <summary>One of the classes a backbone's classifier sees in an image.</summary>
/// <param name="Label">The class name (e.g. an ImageNet class).</param>
/// <param name="Probability">The classifier's probability for it.</param>
public sealed record ClassGuess(string Label, float Probability);

/// <summary>An extractor whose backbone also has a classifier ("what the model sees"), with the names of its classes.</summary>
public interface IImageClassifier
{
    /// <summary>Whether this model has a classifier output and its class names were found.</summary>
    bool CanClassify { get; }

    /// <summary>The <paramref name="top"/> most probable classes of <paramref name="image"/>, most probable first.</summary>
    /// <exception cref="Errors.ImageDecodeException">when the image cannot be decoded.</exception>
    /// <exception cref="InvalidOperationException">when <see cref="CanClassify"/> is false.</exception>
    Task<IReadOnlyList<ClassGuess>> ClassifyAsync(ImageInput image, int top, CancellationToken cancellationToken = default);
}
