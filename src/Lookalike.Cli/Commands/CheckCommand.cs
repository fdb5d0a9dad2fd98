using System.Collections.Concurrent;
using System.CommandLine;
using Lookalike.Cli.Output;
using Lookalike.Errors;
using Lookalike.Indexing;
using Lookalike.IO;
using Lookalike.Onnx.Imaging;
using Lookalike.Progress;
using Spectre.Console;

namespace Lookalike.Cli.Commands;

/// <summary><c>lookalike check &lt;folder&gt;</c>: the image files that cannot be used, with the reason; optionally moved away.</summary>
internal static class CheckCommand
{
    /// <summary>The kind of finding for entries that are not regular files: listed, never moved.</summary>
    private const string NotRegular = "not a regular file";

    public static Command Create(CliContext context)
    {
        var folder = new Argument<string>("folder") { Description = "Folder to check (recursively)." };
        var moveTo = new Option<string?>("--move-to") { Description = "Move the files that cannot be decoded here (same relative paths); nothing is ever deleted." };
        var maxPixels = CommonOptions.MaxPixels();
        var command = new Command("check", "Find image files that cannot be decoded (empty, truncated, corrupt, unsupported, absurd dimensions) or carry the wrong extension. Exits 1 when any file cannot be decoded, 0 otherwise (wrong extensions are warnings).")
        {
            folder, moveTo, maxPixels,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var scanned = ImageFiles.Scan(parse.GetValue(folder)!);
            var checker = new ImageChecker(new ImageLoader(new ImageLoaderOptions { MaxPixels = parse.GetValue(maxPixels) }));
            var findings = new ConcurrentBag<ImageFinding>(
                scanned.Skipped.Select(s => new ImageFinding(s.Path, NotRegular, s.Reason, false)));
            await ConsoleProgress.RunAsync(context, "Checking", progress => Task.Run(() =>
            {
                int done = 0;
                Parallel.ForEach(scanned.Images, new ParallelOptions { CancellationToken = cancellationToken }, path =>
                {
                    if (checker.Check(path) is { } finding) findings.Add(finding);
                    progress.Report(new ProgressUpdate("Checking", Interlocked.Increment(ref done), scanned.Images.Count));
                });
                return done;
            }, cancellationToken));
            var ordered = findings.OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
            foreach (var finding in ordered)
                context.Console.Profile.Out.Writer.WriteLine($"{(finding.Decodable ? "warning" : "bad")}\t{finding.Kind}\t{LineText.Escape(finding.Path)}\t{finding.Reason}");
            var bad = ordered.Where(f => !f.Decodable).ToList();
            var movable = bad.Where(f => f.Kind != NotRegular).ToList();
            if (parse.GetValue(moveTo) is { } target)
            {
                foreach (var finding in movable)
                {
                    string destination = MoveAside(scanned.Root, finding.Path, target);
                    context.Error.WriteLine($"moved {finding.Path} -> {destination}");
                }
            }
            context.Console.MarkupLine($"{scanned.Images.Count + scanned.Skipped.Count} image file(s) checked: [bold]{bad.Count}[/] cannot be decoded, {ordered.Count - bad.Count} with a wrong extension.");
            return bad.Count > 0 ? LookalikeCli.UserError : 0;
        });
        return command;
    }

    /// <summary>Moves <paramref name="path"/> under <paramref name="target"/> at its path relative to <paramref name="root"/>, never overwriting.</summary>
    private static string MoveAside(string root, string path, string target)
    {
        string destination = Path.Combine(Path.GetFullPath(target), Path.GetRelativePath(root, path));
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        string free = destination;
        for (int n = 1; File.Exists(free); n++) free = $"{destination}.{n}";
        try
        {
            File.Move(path, free);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LookalikeException($"Cannot move '{path}' to '{free}': {e.Message}", e);
        }
        return free;
    }
}
