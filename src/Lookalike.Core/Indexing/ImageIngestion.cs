using Lookalike.Collections;
using Lookalike.Features;

namespace Lookalike.Indexing;

/// <summary>
/// The one way an extracted image enters a collection, for folder indexing and uploads alike: its
/// record (content hash, label, sizes, features) is added — a no-op for content already stored — and
/// the state of its file is recorded, so an unchanged file is never read again.
/// </summary>
public static class ImageIngestion
{
    /// <summary>Stores <paramref name="extracted"/> (a successful result) as the image of the file at <paramref name="path"/>.</summary>
    /// <returns>The image's id and whether it was new.</returns>
    public static async Task<(long Id, bool Added)> StoreAsync(this ImageCollection collection, string path, FileState file, string? label,
        FeatureResult extracted, CancellationToken cancellationToken = default)
    {
        var features = extracted.Features ?? throw new ArgumentException($"'{path}' has no features: {extracted.Error}", nameof(extracted));
        var result = await collection.AddAsync(new NewImage(path, file.Sha256, label, file.Size, extracted.Width, extracted.Height, features),
            cancellationToken).ConfigureAwait(false);
        await collection.RecordFileStateAsync(path, file, cancellationToken).ConfigureAwait(false);
        return result;
    }
}
