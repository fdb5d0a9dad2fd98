using System.CommandLine;
using Lookalike.Collections;
using Lookalike.Indexing;
using Lookalike.IO;
using Spectre.Console;

namespace Lookalike.Cli.Commands;

/// <summary><c>lookalike remove &lt;path|id&gt;…</c>: take images out of a collection without a rebuild.</summary>
internal static class RemoveCommand
{
    public static Command Create(CliContext context)
    {
        var targets = new Argument<string[]>("targets")
        {
            Description = "Image ids, paths of indexed files (existing or not), or folders (every image indexed from under one).",
            Arity = ArgumentArity.OneOrMore,
        };
        var collection = CommonOptions.Collection();
        var command = new Command("remove", "Remove images from a collection (the files are not touched; saved indexes follow on their next update).")
        {
            targets, collection,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var store = await context.Collections.OpenAsync(parse.GetValue(collection)!, CollectionAccess.Write, cancellationToken: cancellationToken);
            var removed = await ImageRemoval.RemoveAsync(store, parse.GetValue(targets)!, cancellationToken);
            foreach (var target in removed)
            {
                foreach (var image in target.Images) context.Console.WriteLine($"removed {image.Id}\t{LineText.Escape(image.Path)}");
            }
            int count = removed.SelectMany(t => t.Images).DistinctBy(i => i.Id).Count();
            context.Console.MarkupLine(Markup.Escape($"Removed {count} image(s); collection {store.Location} now holds {store.Count}. " +
                "An index run over a folder that still holds a removed file adds it back."));
            return 0;
        });
        return command;
    }
}
