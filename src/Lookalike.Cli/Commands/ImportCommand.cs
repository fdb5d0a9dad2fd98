using System.CommandLine;
using Lookalike.Cli.Output;
using Lookalike.Collections;
using Lookalike.Indexes;
using Spectre.Console;

namespace Lookalike.Cli.Commands;

/// <summary><c>lookalike import</c>: add vectors computed elsewhere (the files <c>export</c> writes) to a collection.</summary>
internal static class ImportCommand
{
    public static Command Create(CliContext context)
    {
        var features = new Argument<string>("features") { Description = "Feature file: .npy (float32, n×d) or .fvecs." };
        var paths = new Option<string>("--paths") { Description = "One image path a line, row by row.", Required = true };
        var labels = new Option<string?>("--labels") { Description = "One label a line, row by row (empty: none)." };
        var model = new Option<string>("--model-description")
        {
            Description = "JSON naming the model the features came from (FILE.model.json as export writes it: id, sha256, path, dimension, preprocessing).",
            Required = true,
        };
        var collection = CommonOptions.Collection();
        var metric = CommonOptions.Metric();
        metric.Description = "Default metric of a new collection: l2 or cosine (default cosine).";
        var index = CommonOptions.PersistedIndexes();
        var command = new Command("import", "Add feature vectors computed elsewhere to a collection (a new one, or one of the same model).")
        {
            features, paths, labels, model, collection, metric, index,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var description = FeatureFiles.ReadModelDescription(parse.GetValue(model)!);
            string[] specs = parse.GetValue(index) ?? [];
            await using var store = await context.Collections.OpenAsync(parse.GetValue(collection)!, CollectionAccess.WriteOrCreate,
                new NewCollection(description, CommonOptions.ParseMetric(parse.GetValue(metric)) ?? DistanceMetric.Cosine,
                    specs.FirstOrDefault() ?? Flat.TypeName), cancellationToken);
            IndexCommand.CheckSpecs(context, store, specs);
            var (rows, added) = await ConsoleProgress.RunAsync(context, "Importing", progress =>
                FeatureFiles.ImportAsync(store, parse.GetValue(features)!, parse.GetValue(paths)!, parse.GetValue(labels), progress,
                    cancellationToken: cancellationToken));
            await IndexCommand.SaveIndexesAsync(context, store, specs, cancellationToken);
            context.Console.MarkupLine($"Imported [bold]{added}[/] new image(s) of {rows} row(s); collection [bold]{Markup.Escape(store.Location)}[/] now holds {store.Count}.");
            return 0;
        });
        return command;
    }
}
