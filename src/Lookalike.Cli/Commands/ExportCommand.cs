using System.CommandLine;
using Lookalike.Collections;

namespace Lookalike.Cli.Commands;

/// <summary><c>lookalike export</c>: a collection's features as .npy or .fvecs, for numpy and faiss.</summary>
internal static class ExportCommand
{
    public static Command Create(CliContext context)
    {
        var collection = CommonOptions.Collection();
        var output = new Option<string>("--out", "-o") { Description = "File to write: .npy (float32, C order) or .fvecs.", Required = true };
        var command = new Command("export", "Write a collection's feature vectors as .npy or .fvecs, with labels, paths and the model description in FILE.labels.txt, FILE.paths.txt (one a line; backslash, newline and other control characters escaped as \\\\, \\n, \\uXXXX) and FILE.model.json.")
        {
            collection, output,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string path = parse.GetValue(output)!;
            await using var store = await context.Collections.OpenAsync(parse.GetValue(collection)!, CollectionAccess.Read, cancellationToken: cancellationToken);
            var (rows, dimension) = await FeatureFiles.ExportAsync(store, path, cancellationToken);
            context.Console.Profile.Out.Writer.WriteLine($"Wrote {rows} × {dimension} features to {Path.GetFullPath(path)} (+ .labels.txt, .paths.txt, .model.json).");
            return 0;
        });
        return command;
    }
}
