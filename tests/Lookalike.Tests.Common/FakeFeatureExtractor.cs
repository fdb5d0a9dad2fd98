using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Lookalike.Errors;
using Lookalike.Features;
using Lookalike.Indexes;
using Lookalike.Onnx.Imaging;

namespace Lookalike.Tests.Common;

/// <summary>
/// A small deterministic extractor for host tests that need no network: the image's header is read
/// (so sizes are real and non-images are refused as the real decoder refuses them), and the features
/// are a 16-d vector drawn from the SHA-256 of the bytes — identical files get identical features,
/// different files unrelated ones. Thread-safe.
/// </summary>
public sealed class FakeFeatureExtractor : IFeatureExtractor
{
    /// <summary>Dimension of the features.</summary>
    public const int Dimension = 16;

    private int _extracted;

    /// <summary>How many images reached the extractor.</summary>
    public int Extracted => _extracted;

    /// <inheritdoc/>
    public FeatureExtractorMetadata Metadata { get; } = new("fake-extractor", new string('f', 64), "/fake/model.onnx", Dimension,
        DistanceMetric.Cosine, "sha256 of the bytes");

    /// <summary>The features of <paramref name="bytes"/>.</summary>
    public static float[] FeaturesOf(ReadOnlySpan<byte> bytes)
    {
        var random = new Random(BitConverter.ToInt32(SHA256.HashData(bytes)));
        return [.. Enumerable.Range(0, Dimension).Select(_ => (float)random.NextDouble() + 0.01f)];
    }

    /// <inheritdoc/>
    public Task<float[]> ExtractAsync(IReadOnlyList<ImageInput> images, CancellationToken cancellationToken = default)
    {
        var all = new List<float>();
        foreach (var image in images)
        {
            var result = One(image);
            if (!result.Succeeded) throw new ImageDecodeException(image.Source, result.Error!, result.Problem ?? ImageProblem.Corrupt);
            all.AddRange(result.Features!);
        }
        return Task.FromResult(all.ToArray());
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<FeatureResult> ExtractStreamAsync(IAsyncEnumerable<ImageInput> images,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var image in images.WithCancellation(cancellationToken)) yield return One(image);
    }

    private FeatureResult One(ImageInput image)
    {
        Interlocked.Increment(ref _extracted);
        try
        {
            var header = ImageHeader.Read(image.Bytes.Span, image.Source);
            return new FeatureResult(image, FeaturesOf(image.Bytes.Span), header.Width, header.Height, null);
        }
        catch (ImageDecodeException e)
        {
            return new FeatureResult(image, null, 0, 0, e.Message, e.Problem);
        }
    }

    /// <inheritdoc/>
    public void Dispose() { }
}
