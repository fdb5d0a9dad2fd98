namespace Lookalike.Collections;

/// <summary>
/// Every live image of a collection and every path its content was recorded under: its own path, and each source file
/// whose recorded state carries its content (byte-identical copies are stored once, their paths are kept).
/// </summary>
public sealed class RecordedFiles
{
    private readonly Dictionary<long, List<string>> _pathsOfImage;

    private RecordedFiles(Dictionary<long, ImageRecord> images, Dictionary<string, ImageRecord> imageOfPath)
    {
        Images = images;
        ImageOfPath = imageOfPath;
        _pathsOfImage = imageOfPath.GroupBy(p => p.Value.Id).ToDictionary(g => g.Key, g =>
        {
            var own = images[g.Key].Path;
            return (List<string>)[own, .. g.Select(p => p.Key).Where(p => p != own).Order(StringComparer.Ordinal)];
        });
    }

    /// <summary>Live images by id, in id order.</summary>
    public IReadOnlyDictionary<long, ImageRecord> Images { get; }

    /// <summary>The image of each recorded path.</summary>
    public IReadOnlyDictionary<string, ImageRecord> ImageOfPath { get; }

    /// <summary>The paths of image <paramref name="id"/>: its own path first, then the others in path order.</summary>
    public IReadOnlyList<string> PathsOf(long id) => _pathsOfImage.TryGetValue(id, out var paths) ? paths : [];

    /// <summary>Reads the images and the recorded file states of <paramref name="collection"/>.</summary>
    public static async Task<RecordedFiles> ReadAsync(ImageCollection collection, CancellationToken cancellationToken = default)
    {
        var images = new Dictionary<long, ImageRecord>();
        var imageOfHash = new Dictionary<string, ImageRecord>(StringComparer.Ordinal);
        var imageOfPath = new Dictionary<string, ImageRecord>(StringComparer.Ordinal);
        await foreach (var image in collection.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            images[image.Id] = image;
            imageOfHash[image.Sha256] = image;
            imageOfPath[image.Path] = image;
        }
        await foreach (var (path, state) in collection.ListFileStatesAsync(cancellationToken).ConfigureAwait(false))
        {
            if (imageOfHash.TryGetValue(state.Sha256, out var image)) imageOfPath.TryAdd(path, image);
        }
        return new RecordedFiles(images, imageOfPath);
    }
}
