using Lookalike.Errors;

namespace Lookalike.Indexing;

/// <summary>The image files found under a folder.</summary>
/// <param name="Root">The folder, as a full path.</param>
/// <param name="Images">Image files, full paths in ordinal order.</param>
/// <param name="Ignored">Files without an image extension.</param>
public sealed record ImageFolder(string Root, IReadOnlyList<string> Images, int Ignored);

/// <summary>Which files of a folder are images to index.</summary>
public static class ImageFiles
{
    /// <summary>File extensions treated as images (case-insensitive).</summary>
    public static readonly IReadOnlySet<string> Extensions =
        new HashSet<string>([".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp"], StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Every image file under <paramref name="folder"/> (recursively), in ordinal path order, and
    /// the number of other files ignored.
    /// </summary>
    /// <exception cref="LookalikeException">when the folder is missing or holds no image file.</exception>
    public static ImageFolder Scan(string folder)
    {
        string full = Path.GetFullPath(folder);
        if (!Directory.Exists(full))
            throw new LookalikeException(File.Exists(full)
                ? $"'{folder}' is a file; give a folder of images."
                : $"Folder '{folder}' does not exist.");
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.Hidden };
        var images = new List<string>();
        int ignored = 0;
        foreach (string file in Directory.EnumerateFiles(full, "*", options))
        {
            if (Extensions.Contains(Path.GetExtension(file))) images.Add(file);
            else ignored++;
        }
        if (images.Count == 0)
            throw new LookalikeException($"Folder '{folder}' contains no images (looked for {string.Join(", ", Extensions)}).");
        images.Sort(StringComparer.Ordinal);
        return new ImageFolder(full, images, ignored);
    }

    /// <summary>The label of <paramref name="file"/>: its parent folder's name, or null for files directly in <paramref name="root"/>.</summary>
    public static string? LabelFromFolder(string root, string file)
    {
        string parent = Path.GetDirectoryName(file)!;
        return Path.GetFullPath(parent).TrimEnd('/') == Path.GetFullPath(root).TrimEnd('/') ? null : Path.GetFileName(parent);
    }
}
