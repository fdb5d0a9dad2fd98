using System.CommandLine;
using Lookalike.Cli.Output;
using Lookalike.Collections;
using Spectre.Console;

namespace Lookalike.Cli.Commands;

/// <summary><c>lookalike migrate</c>: copy a collection into another store (a folder into PostgreSQL), resumably.</summary>
internal static class MigrateCommand
{
    public static Command Create(CliContext context)
    {
        var from = new Option<string>("--from") { Description = "The collection to copy (a folder, or any location).", Required = true };
        var to = new Option<string>("--to")
        {
            Description = "Where to copy it: postgres://user@host:port/db?collection=NAME, a connection string, or a folder.",
            Required = true,
        };
        var commitEvery = new Option<int>("--commit-every") { Description = "Commit after this many images.", DefaultValueFactory = _ => 1000 };
        commitEvery.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--commit-every must be at least 1."); });
        var command = new Command("migrate",
            "Copy a collection (images, features, file states, saved index specs) into another store. Run it again after an interruption: it goes on where it stopped.")
        {
            from, to, commitEvery,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string source = CollectionLocations.Normalize(parse.GetValue(from)!), target = CollectionLocations.Normalize(parse.GetValue(to)!);
            await using var origin = await context.Collections.OpenAsync(source, CollectionAccess.Read, cancellationToken: cancellationToken);
            var info = origin.Info;
            await using var destination = await context.Collections.OpenAsync(target, CollectionAccess.WriteOrCreate,
                new NewCollection(origin.Model, info.Metric, info.IndexSpec), cancellationToken);
            var report = await ConsoleProgress.RunAsync(context, "Migrating",
                progress => CollectionCopy.CopyAsync(origin, destination, parse.GetValue(commitEvery), progress, cancellationToken));
            context.Console.MarkupLine(
                $"Copied {report.Copied} image(s) to [bold]{Markup.Escape(destination.Location)}[/] ({report.AlreadyThere} already there), " +
                $"{report.Files} file state(s); {destination.Count} image(s) in all.");
            InfoCommand.PrintIndexes(context, report.Indexes, destination.Count);
            return 0;
        });
        return command;
    }
}
