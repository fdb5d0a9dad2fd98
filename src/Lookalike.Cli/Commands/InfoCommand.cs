using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Lookalike.Collections;
using Lookalike.Indexes;
using Spectre.Console;

namespace Lookalike.Cli.Commands;

/// <summary><c>lookalike info</c>: what a collection holds.</summary>
internal static class InfoCommand
{
    public static Command Create(CliContext context)
    {
        var collection = CommonOptions.Collection();
        var json = CommonOptions.Json();
        var command = new Command("info", "Show a collection's size, model, dimension and index.") { collection, json };
        command.SetAction(async parse =>
        {
            await using var store = EmbeddedCollection.OpenReadOnly(parse.GetValue(collection)!);
            var info = store.Info;
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
            if (parse.GetValue(json))
            {
                context.Console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(rows.ToDictionary(r => r.Key.Replace(' ', '_'), r => r.Value),
                    new JsonSerializerOptions { WriteIndented = true }));
                return 0;
            }
            var grid = new Grid().AddColumn().AddColumn();
            foreach (var (key, value) in rows) grid.AddRow($"[bold]{key}[/]", Markup.Escape(value));
            context.Console.Write(grid);
            return 0;
        });
        return command;
    }
}
