using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Lookalike.Collections;
using Lookalike.Features;
using Lookalike.Indexes;
using Lookalike.IO;

namespace Lookalike.Training.Heads;

/// <summary>
/// A backbone followed by a fine-tuned head: images → CNN features → the head's L2-normalised
/// embedding. Its identity combines the backbone's and the head file's hashes, so a collection
/// built with one head refuses features of another.
/// </summary>
public sealed class FineTunedExtractor : IFeatureExtractor
{
    private readonly IFeatureExtractor _backbone;
    private readonly HeadModel _head;

    private FineTunedExtractor(IFeatureExtractor backbone, HeadModel head, string headPath)
    {
        _backbone = backbone;
        _head = head;
        if (head.Inputs != backbone.Metadata.Dimension)
            throw new Errors.LookalikeException($"Head '{headPath}' takes {head.Inputs}-d features; the model gives {backbone.Metadata.Dimension}-d.");
        var b = backbone.Metadata;
        string headSha256 = FileHash.Sha256Of(headPath);
        string combined = Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(b.ModelSha256 + headSha256)));
        Metadata = new FeatureExtractorMetadata($"{b.ModelId}+head", combined, b.ModelPath, head.EmbeddingWidth, DistanceMetric.Cosine,
            $"{b.Preprocessing}; head {head.Network.Describe()} (layer {head.EmbeddingLayer}, L2-normalised)", Path.GetFullPath(headPath),
            b.Description is null ? null : b.Description with { HeadSha256 = headSha256 });
    }

    /// <summary>
    /// <paramref name="backbone"/> alone when <paramref name="headPath"/> is null; otherwise the backbone followed by that head.
    /// Takes ownership of <paramref name="backbone"/>.
    /// </summary>
    public static IFeatureExtractor Wrap(IFeatureExtractor backbone, string? headPath)
    {
        if (headPath is null) return backbone;
        try
        {
            return new FineTunedExtractor(backbone, HeadFile.Load(headPath), headPath);
        }
        catch
        {
            backbone.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public FeatureExtractorMetadata Metadata { get; }

    /// <inheritdoc/>
    public async Task<float[]> ExtractAsync(IReadOnlyList<ImageInput> images, CancellationToken cancellationToken = default)
    {
        float[] features = await _backbone.ExtractAsync(images, cancellationToken).ConfigureAwait(false);
        return _head.Embed(features, images.Count);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<FeatureResult> ExtractStreamAsync(IAsyncEnumerable<ImageInput> images,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var result in _backbone.ExtractStreamAsync(images, cancellationToken).ConfigureAwait(false))
        {
            yield return result.Features is null ? result : result with { Features = _head.Embed(result.Features, 1) };
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _backbone.Dispose();
}
