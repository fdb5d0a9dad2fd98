using System.CommandLine;
using Lookalike.Collections;
using Lookalike.Errors;
using Lookalike.Evaluation.Datasets;
using Lookalike.IO;

namespace Lookalike.Cli.Commands;

/// <summary><c>lookalike export</c>: a collection's features as .npy or .fvecs, for numpy and faiss.</summary>
internal static class ExportCommand
{
    public static Command Create(CliContext context)
    {
        var collection = CommonOptions.Collection();
        var output = new Option<string>("--out", "-o") { Description = "File to write: .npy (float32, C order) or .fvecs.", Required = true };
        var command = new Command("export", "Write a collection's feature vectors as .npy or .fvecs, with labels and paths in FILE.labels.txt and FILE.paths.txt (one a line; backslash, newline and other control characters escaped as \\\\, \\n, \\uXXXX).")
        {
            collection, output,
        };
        command.SetAction(async parse =>
        {
            string path = parse.GetValue(output)!;
            string extension = Path.GetExtension(path).ToLowerInvariant();
            if (extension is not (".npy" or ".fvecs")) throw new LookalikeException($"--out '{path}' must end in .npy or .fvecs.");
            await using var store = EmbeddedCollection.OpenReadOnly(parse.GetValue(collection)!);
            var (images, vectors) = store.ReadAll();
            int dimension = store.Info.Model.Dimension;
            if (extension == ".npy") NpyFile.Write(path, vectors, images.Count, dimension);
            else FvecsFile.Write(path, vectors, dimension);
            AtomicFile.WriteAllText(path + ".labels.txt", string.Join('\n', images.Select(i => LineText.Escape(i.Label ?? ""))) + "\n");
            AtomicFile.WriteAllText(path + ".paths.txt", string.Join('\n', images.Select(i => LineText.Escape(i.Path))) + "\n");
            context.Console.Profile.Out.Writer.WriteLine($"Wrote {images.Count} × {dimension} features to {Path.GetFullPath(path)} (+ .labels.txt, .paths.txt).");
            return 0;
        });
        return command;
    }
}
