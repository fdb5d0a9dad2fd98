using System.CommandLine;
using System.Globalization;
using Lookalike.Cli.Output;
using Lookalike.Collections;
using Lookalike.Duplicates;
using Lookalike.Evaluation.Reports;
using Lookalike.IO;
using Lookalike.Onnx.Imaging;
using Spectre.Console;

namespace Lookalike.Cli.Commands;

/// <summary><c>lookalike duplicates</c>: identical files and near-duplicates of a collection, with a keeper suggested per group.</summary>
internal static class DuplicatesCommand
{
    private const int ThumbnailSide = 160;

    public static Command Create(CliContext context)
    {
        var collection = CommonOptions.Collection();
        var threshold = new Option<float>("--threshold")
        {
            Description = "Near-duplicates are at least this cosine similar, in (0, 1] (see docs/duplicates.md for how the default was chosen).",
            DefaultValueFactory = _ => DuplicateOptions.DefaultThreshold,
        };
        threshold.Validators.Add(r =>
        {
            float value = r.GetValueOrDefault<float>();
            if (!(value is > 0f and <= 1f)) r.AddError($"--threshold must be a cosine similarity in (0, 1] (was {value.ToString(CultureInfo.InvariantCulture)}).");
        });
        var exactOnly = new Option<bool>("--exact-only") { Description = "Only byte-identical files (no feature search)." };
        var neighbours = new Option<int>("--neighbours")
        {
            Description = "Nearest neighbours looked at per image (1..100).",
            DefaultValueFactory = _ => DuplicateOptions.DefaultNeighbours,
        };
        neighbours.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 1 or > 100) r.AddError("--neighbours must be between 1 and 100."); });
        var index = new Option<string?>("--index") { Description = "Index that finds the neighbours (default: the collection's approximate index)." };
        var json = new Option<string?>("--json") { Description = "Write the groups as JSON to this file ('-' for standard output, instead of the table)." };
        var html = new Option<string?>("--html") { Description = "Write a page of thumbnails per group into this folder." };
        var moveTo = new Option<string?>("--move-to")
        {
            Description = "Move every file but each group's keeper into this folder, keeping paths relative to the indexed folder (nothing is deleted).",
        };
        var command = new Command("duplicates", "Find identical files and near-duplicates in a collection, and suggest which to keep.")
        {
            collection, threshold, exactOnly, neighbours, index, json, html, moveTo,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string? move = parse.GetValue(moveTo);
            await using var store = await context.Collections.OpenAsync(parse.GetValue(collection)!,
                move is null ? CollectionAccess.Read : CollectionAccess.Write, cancellationToken: cancellationToken);
            var options = new DuplicateOptions(parse.GetValue(threshold), parse.GetValue(exactOnly), parse.GetValue(neighbours), parse.GetValue(index));
            if (options.IndexSpec is { } spec) context.Services.Indexes.Validate(store.Model.Dimension, spec, store.Info.Metric);
            var report = await ConsoleProgress.RunAsync(context, "Finding duplicates",
                progress => DuplicateFinder.FindAsync(store, options, progress, cancellationToken));
            string? jsonPath = parse.GetValue(json);
            if (jsonPath == "-") context.Console.Profile.Out.Writer.WriteLine(DuplicateReportWriter.ToJson(report));
            else PrintTable(context, report);
            if (jsonPath is { } file && file != "-")
            {
                AtomicFile.Write(file, s => s.Write(System.Text.Encoding.UTF8.GetBytes(DuplicateReportWriter.ToJson(report))));
                context.Error.WriteLine($"Wrote {file}");
            }
            if (parse.GetValue(html) is { } folder)
            {
                var thumbnailer = new Thumbnailer(new ImageLoader());
                string page = DuplicateReportWriter.WriteHtml(report, folder, member => Thumbnail(thumbnailer, member));
                context.Error.WriteLine($"Wrote {page}");
            }
            if (move is not null) PrintMoves(context, await DuplicateMover.MoveAsync(store, report, move, cancellationToken));
            return 0;
        });
        return command;
    }

    private static void PrintTable(CliContext context, DuplicateReport report)
    {
        var c = CultureInfo.InvariantCulture;
        var table = new CliTable("group", "kind", "role", "similarity", "pixels", "bytes", "path", "label");
        int number = 0;
        foreach (var group in report.Groups)
        {
            number++;
            foreach (var m in group.Members)
            {
                table.AddRow(number.ToString(c), group.Kind == DuplicateKind.Exact ? "exact" : "near", ReferenceEquals(m, group.Keeper) ? "keep" : "copy",
                    m.Similarity.ToString("F4", c), $"{m.Width}x{m.Height}", m.Bytes.ToString(c), m.Path, m.Label ?? "");
            }
        }
        if (report.Groups.Count > 0) table.WriteTo(context.Console);
        int exact = report.Groups.Count(g => g.Kind == DuplicateKind.Exact);
        string near = report.IndexSpec is null
            ? "near-duplicates not looked for (--exact-only)"
            : string.Create(c, $"{report.Groups.Count - exact} group(s) of near-duplicates at cosine similarity >= {report.Options.Threshold:0.###} " +
                $"({report.Options.Neighbours} neighbours per image from {report.IndexSpec}, {report.Stats.DistancesPerQuery:F0} distances per image)");
        context.Console.MarkupLine(Markup.Escape(string.Create(c,
            $"{report.Images} images: {exact} group(s) of identical files, {near}; {report.Redundant} file(s) besides the keepers; {report.Elapsed.TotalSeconds:F1} s.")));
    }

    private static void PrintMoves(CliContext context, IReadOnlyList<DuplicateMove> moves)
    {
        foreach (var stayed in moves.Where(m => m.To is null)) context.Error.WriteLine($"kept {stayed.From}: {stayed.Reason}");
        int moved = moves.Count(m => m.To is not null);
        context.Console.MarkupLine(Markup.Escape($"Moved {moved} file(s); {moves.Count - moved} stayed where they were."));
    }

    /// <summary>A preview of the file as it was indexed (null when it is gone, changed or cannot be decoded).</summary>
    private static byte[]? Thumbnail(Thumbnailer thumbnailer, DuplicateMember member)
    {
        try
        {
            byte[] bytes = BoundedFileReader.ReadAsync(member.Path).GetAwaiter().GetResult();
            if (FileHash.Sha256Of(bytes) != member.Sha256) return null;
            return thumbnailer.MakeJpeg(bytes, member.Path, member.Width, member.Height, ThumbnailSide);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or UnreadableFileException or Errors.LookalikeException)
        {
            return null;
        }
    }
}
