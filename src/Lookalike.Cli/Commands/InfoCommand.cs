using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Lookalike.Cli.Output;
using Lookalike.Collections;
using Lookalike.Indexes;
using Spectre.Console;

namespace Lookalike.Cli.Commands;

/// <summary><c>lookalike info</c>: what a collection holds.</summary>
internal static class InfoCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Command Create(CliContext context)
    {
        var collection = CommonOptions.Collection();
        var json = CommonOptions.Json();
        var command = new Command("info", "Show a collection's size, model, dimension, metric and saved indexes.") { collection, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var store = await context.Collections.OpenAsync(parse.GetValue(collection)!, CollectionAccess.Read, cancellationToken: cancellationToken);
            var info = store.Info;
            if (parse.GetValue(json))
            {
                context.Console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(new
                {
                    collection = info.Location,
                    images = info.Count,
                    model = info.Model,
                    metric = info.Metric.Name(),
                    index = info.IndexSpec,
                    sizeOnDisk = info.SizeOnDisk,
                    indexes = info.Indexes.Select(i => new
                    {
                        i.Name,
                        i.Spec,
                        i.Metric,
                        i.Rows,
                        i.TrainedOn,
                        i.Bytes,
                        i.BuiltAt,
                        stale = i.IsStaleFor(info.Count),
                    }),
                }, Json));
                return 0;
            }
            var rows = new (string Key, string Value)[]
            {
                ("collection", info.Location),
                ("images", info.Count.ToString(CultureInfo.InvariantCulture)),
                ("model", $"{info.Model.Id} ({info.Model.Path})"),
                ("model sha256", info.Model.Sha256),
                ("dimension", info.Model.Dimension.ToString(CultureInfo.InvariantCulture)),
                ("preprocessing", info.Model.Preprocessing),
                ("metric", info.Metric.Name()),
                ("index", info.IndexSpec),
                ("size on disk", $"{info.SizeOnDisk / 1048576.0:F1} MiB ({info.SizeOnDisk} bytes)"),
            };
            var grid = new CliTable("field", "value") { ShowHeader = false };
            foreach (var (key, value) in rows) grid.AddRow(key, value);
            grid.WriteTo(context.Console);
            PrintIndexes(context, info.Indexes, info.Count);
            return 0;
        });
        return command;
    }

    /// <summary>A table of the saved indexes: spec, metric, rows covered, size, when built, and whether a reindex is due.</summary>
    public static void PrintIndexes(CliContext context, IReadOnlyList<PersistedIndex> indexes, long liveRows)
    {
        if (indexes.Count == 0)
        {
            context.Console.MarkupLine("No saved indexes (searches other than Flat train theirs when they start; save one with 'lookalike reindex --index SPEC').");
            return;
        }
        var c = CultureInfo.InvariantCulture;
        var table = new CliTable("saved index", "metric", "rows", "trained on", "size", "built at", "state");
        foreach (var i in indexes)
        {
            table.AddRow(i.Spec, i.Metric, i.Rows.ToString(c), i.TrainedOn.ToString(c), string.Create(c, $"{i.Bytes / 1048576.0:F1} MiB"),
                i.BuiltAt.ToString("u", c), i.IsStaleFor(liveRows) ? "stale: run lookalike reindex" : "up to date");
        }
        table.WriteTo(context.Console);
    }
}
