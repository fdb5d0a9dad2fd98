using Lookalike.Collections;
using Lookalike.Errors;
using Lookalike.IO;

namespace Lookalike.Duplicates;

/// <summary>A file moved aside, or one left where it was and why.</summary>
/// <param name="From">Where the file was.</param>
/// <param name="To">Where it went, or null when it stayed.</param>
/// <param name="Reason">Why it stayed (null when moved).</param>
public sealed record DuplicateMove(string From, string? To, string? Reason);

/// <summary>
/// Moves every member of every group but its keeper into another folder, under the path it had relative to
/// the folder the collection was indexed from. Nothing is deleted or overwritten; a file that changed since it
/// was indexed stays. The collection forgets the images whose only file was moved, so searches stop returning them.
/// </summary>
public static class DuplicateMover
{
    /// <summary>Moves the redundant files of <paramref name="report"/> under <paramref name="destination"/>.</summary>
    /// <exception cref="LookalikeException">when <paramref name="destination"/> lies inside the indexed folder (the next index run would take the files back).</exception>
    public static async Task<IReadOnlyList<DuplicateMove>> MoveAsync(ImageCollection collection, DuplicateReport report, string destination,
        CancellationToken cancellationToken = default)
    {
        destination = Path.GetFullPath(destination);
        var recorded = new List<string>();
        await foreach (var (path, _) in collection.ListFileStatesAsync(cancellationToken).ConfigureAwait(false)) recorded.Add(path);
        string root = CommonFolder([.. recorded, .. report.Groups.SelectMany(g => g.Members.Select(m => m.Path))]);
        if (IsWithin(destination, root))
        {
            throw new LookalikeException($"--move-to '{destination}' lies inside the indexed folder '{root}': the next index run would take the " +
                "moved files back in. Choose a folder outside it.");
        }
        var moves = new List<DuplicateMove>();
        var forget = new HashSet<long>();
        foreach (var group in report.Groups)
        {
            foreach (var member in group.Others)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var move = MoveOne(member, root, destination);
                moves.Add(move);
                if (move.To is not null && group.Kind == DuplicateKind.Near) forget.Add(member.ImageId);
            }
        }
        if (forget.Count > 0)
        {
            await collection.DeleteAsync(forget, cancellationToken).ConfigureAwait(false);
            await collection.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        return moves;
    }

    private static DuplicateMove MoveOne(DuplicateMember member, string root, string destination)
    {
        string from = member.Path;
        if (!File.Exists(from)) return new DuplicateMove(from, null, "the file is gone");
        string relative = Path.GetRelativePath(root, from);
        string to = Path.Combine(destination, relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative)
            ? Path.GetFileName(from)
            : relative);
        if (File.Exists(to) || Directory.Exists(to)) return new DuplicateMove(from, null, $"'{to}' already exists");
        try
        {
            if (FileHash.Sha256Of(from) != member.Sha256) return new DuplicateMove(from, null, "it changed since it was indexed");
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Move(from, to, overwrite: false);
            return new DuplicateMove(from, to, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new DuplicateMove(from, null, e.Message);
        }
    }

    /// <summary>The deepest folder that holds every one of <paramref name="paths"/>.</summary>
    public static string CommonFolder(IReadOnlyCollection<string> paths)
    {
        if (paths.Count == 0) return Path.GetPathRoot(Environment.CurrentDirectory) ?? "/";
        var folders = paths.Select(p => Path.GetDirectoryName(Path.GetFullPath(p)) ?? "/").ToList();
        string common = folders[0];
        foreach (string folder in folders.Skip(1))
        {
            while (!IsWithin(folder, common)) common = Path.GetDirectoryName(common) ?? "/";
        }
        return common;
    }

    private static bool IsWithin(string path, string folder)
    {
        string relative = Path.GetRelativePath(folder, path);
        return relative == "." || (!relative.StartsWith("..", StringComparison.Ordinal) && !Path.IsPathRooted(relative));
    }
}
