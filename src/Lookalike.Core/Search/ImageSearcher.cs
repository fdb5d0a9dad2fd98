using Lookalike.Collections;
using Lookalike.Errors;
using Lookalike.Features;

namespace Lookalike.Search;

/// <summary>Query by example: an image (or an image already in the collection) in, its nearest images out.</summary>
/// <remarks>Thread-safe when the collection and the extractor are (both contracts require it).</remarks>
public sealed class ImageSearcher(ImageCollection collection, IFeatureExtractor extractor)
{
    /// <summary>Extracts the features of <paramref name="image"/> and searches with them.</summary>
    /// <exception cref="ImageDecodeException">when the image cannot be decoded.</exception>
    public async Task<SearchResponse> SearchByImageAsync(ImageInput image, SearchOptions options,
        CancellationToken cancellationToken = default)
    {
        float[] query = await extractor.ExtractAsync([image], cancellationToken).ConfigureAwait(false);
        return await collection.SearchAsync(query, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Searches with the stored features of image <paramref name="id"/> ("more like this").</summary>
    /// <exception cref="ImageNotFoundException">when the collection has no live image <paramref name="id"/>.</exception>
    public async Task<SearchResponse> SearchByIdAsync(long id, SearchOptions options, CancellationToken cancellationToken = default)
    {
        float[] query = await collection.GetFeaturesAsync(id, cancellationToken).ConfigureAwait(false)
            ?? throw new ImageNotFoundException(id);
        return await collection.SearchAsync(query, options, cancellationToken).ConfigureAwait(false);
    }
}
