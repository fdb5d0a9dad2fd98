using System.CommandLine;
using Lookalike.Cli.Output;
using Lookalike.Collections;

namespace Lookalike.Cli.Commands;

/// <summary><c>lookalike reindex</c>: train the collection's saved indexes afresh (and add new ones).</summary>
internal static class ReindexCommand
{
    public static Command Create(CliContext context)
    {
        var collection = CommonOptions.Collection();
        var index = CommonOptions.PersistedIndexes();
        var command = new Command("reindex",
            "Rebuild the indexes saved with a collection from all its live vectors (clusters and hashes trained afresh, deleted rows dropped); --index adds more.")
        {
            collection, index,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var store = await context.Collections.OpenAsync(parse.GetValue(collection)!, CollectionAccess.Write, cancellationToken: cancellationToken);
            string[] specs = parse.GetValue(index) ?? [];
            if (specs.Length == 0 && store.Info.Indexes.Count == 0)
                throw new Errors.LookalikeException("The collection has no saved indexes; name one with --index SPEC.");
            var saved = await ConsoleProgress.RunAsync(context, "Reindexing",
                progress => Task.Run(() => store.SaveIndexesAsync(specs, rebuild: true, progress, cancellationToken).AsTask(), cancellationToken));
            InfoCommand.PrintIndexes(context, saved, store.Count);
            return 0;
        });
        return command;
    }
}
