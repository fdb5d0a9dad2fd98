using Lookalike.Collections;
using Lookalike.IO;
using Lookalike.Onnx.Models;

namespace Lookalike.Web.Hosting;

/// <summary>
/// Thumbnails made once per image content and kept on disk as <c>&lt;sha256&gt;-&lt;size&gt;.jpg</c>
/// (outside the collection: serving never writes into it).
/// </summary>
internal sealed class ThumbnailCache(CollectionHost host)
{
    private readonly string _folder = host.Options.ThumbnailFolder is { Length: > 0 } folder
        ? Path.GetFullPath(folder)
        : Path.Combine(ModelLocator.DataDirectory, "cache", "thumbnails");

    /// <summary>The cached thumbnail file of <paramref name="image"/>, made now when missing.</summary>
    /// <exception cref="RequestProblemException">404 when the source file is gone.</exception>
    public async Task<string> GetAsync(ImageRecord image, CancellationToken cancellationToken)
    {
        int size = host.Options.ThumbnailSize;
        string path = Path.Combine(_folder, $"{image.Sha256}-{size}.jpg");
        if (File.Exists(path)) return path;
        byte[] original = await ImageFileReader.ReadAsync(host.Collection, image, cancellationToken);
        byte[] jpeg = host.Thumbnailer.MakeJpeg(original, image.Path, image.Width, image.Height, size);
        AtomicFile.Write(path, s => s.Write(jpeg));
        return path;
    }
}
