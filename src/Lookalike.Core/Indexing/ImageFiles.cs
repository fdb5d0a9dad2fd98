using System.IO.Enumeration;
using Lookalike.Errors;
using Lookalike.IO;

namespace Lookalike.Indexing;

/// <summary>An entry of a folder that looks like an image by its name but is not read, and why.</summary>
/// <param name="Path">The entry.</param>
/// <param name="Reason">Why it is skipped (a link leaving the folder, a FIFO, a device, a socket…).</param>
public sealed record SkippedEntry(string Path, string Reason);

/// <summary>The image files found under a folder.</summary>
/// <param name="Root">The folder, as a full path.</param>
/// <param name="Images">Image files, full paths in ordinal order.</param>
/// <param name="Ignored">Files without an image extension.</param>
/// <param name="Skipped">Entries named like images that are not regular files inside the folder.</param>
public sealed record ImageFolder(string Root, IReadOnlyList<string> Images, int Ignored, IReadOnlyList<SkippedEntry> Skipped)
{
    /// <summary>
    /// The same folder with an even sample of <paramref name="count"/> images first (every n-th in path order, so every
    /// sub-folder is in it), then the rest in path order: what a first commit makes searchable while the rest follows.
    /// </summary>
    public ImageFolder SampleFirst(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (count >= Images.Count) return this;
        var first = new bool[Images.Count];
        for (int i = 0; i < count; i++) first[(int)((long)i * Images.Count / count)] = true;
        return this with { Images = [.. Images.Where((_, i) => first[i]), .. Images.Where((_, i) => !first[i])] };
    }
}

/// <summary>Which files of a folder are images to index.</summary>
public static class ImageFiles
{
    /// <summary>File extensions treated as images (case-insensitive).</summary>
    public static readonly IReadOnlySet<string> Extensions =
        new HashSet<string>([".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp"], StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Every image file under <paramref name="folder"/> (recursively), in ordinal path order, and
    /// the number of other files ignored. Only regular files are taken: links are followed only
    /// when they stay inside the folder (links to folders are never followed, so no loop and no
    /// escape); FIFOs, devices and sockets are listed as skipped with the reason.
    /// </summary>
    /// <exception cref="LookalikeException">when the folder is missing, or holds no image file unless <paramref name="allowEmpty"/>.</exception>
    public static ImageFolder Scan(string folder, bool allowEmpty = false)
    {
        string full = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar);
        if (full.Length == 0) full = "/";
        if (!Directory.Exists(full))
            throw new LookalikeException(File.Exists(full)
                ? $"'{folder}' is a file; give a folder of images."
                : $"Folder '{folder}' does not exist.");
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.Hidden };
        var entries = new FileSystemEnumerable<(string Path, bool Link)>(full,
            (ref FileSystemEntry entry) => (entry.ToFullPath(), (entry.Attributes & FileAttributes.ReparsePoint) != 0), options)
        {
            ShouldIncludePredicate = (ref FileSystemEntry entry) =>
                !entry.IsDirectory || (entry.Attributes & FileAttributes.ReparsePoint) != 0,
            ShouldRecursePredicate = (ref FileSystemEntry entry) => (entry.Attributes & FileAttributes.ReparsePoint) == 0,
        };
        var images = new List<string>();
        var skipped = new List<SkippedEntry>();
        int ignored = 0;
        foreach (var (path, link) in entries)
        {
            if (!Extensions.Contains(Path.GetExtension(path)))
            {
                if (!Directory.Exists(path)) ignored++;
                continue;
            }
            if (WhyNotRegular(full, path, link) is { } reason) skipped.Add(new SkippedEntry(path, reason));
            else images.Add(path);
        }
        if (images.Count == 0 && !allowEmpty)
            throw new LookalikeException($"Folder '{folder}' contains no images (looked for {string.Join(", ", Extensions)}).");
        images.Sort(StringComparer.Ordinal);
        skipped.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return new ImageFolder(full, images, ignored, skipped);
    }

    /// <summary>The label of <paramref name="file"/>: its parent folder's name, or null for files directly in <paramref name="root"/>.</summary>
    public static string? LabelFromFolder(string root, string file)
    {
        string parent = Path.GetDirectoryName(file)!;
        return Path.GetFullPath(parent).TrimEnd('/') == Path.GetFullPath(root).TrimEnd('/') ? null : Path.GetFileName(parent);
    }

    /// <summary>Why <paramref name="path"/> is not a regular file inside <paramref name="root"/>, or null when it is.</summary>
    private static string? WhyNotRegular(string root, string path, bool link)
    {
        if (link)
        {
            FileSystemInfo? target;
            try
            {
                target = File.ResolveLinkTarget(path, returnFinalTarget: true);
            }
            catch (IOException e)
            {
                return $"a symbolic link that cannot be resolved ({e.Message})";
            }
            if (target is null || !target.Exists) return "a broken symbolic link";
            if (!IsInside(root, target.FullName)) return $"a symbolic link to '{target.FullName}', outside the indexed folder";
        }
        var kind = FileKinds.Of(path, followLinks: true);
        return kind is FileKind.Regular or FileKind.Unknown ? null : $"{FileKinds.Describe(kind)}, not a regular file";
    }

    private static bool IsInside(string root, string path) =>
        path.StartsWith(root == "/" ? root : root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}
