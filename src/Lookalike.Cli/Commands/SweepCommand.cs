using System.CommandLine;
using Lookalike.Cli.Output;
using Lookalike.Errors;
using Lookalike.Evaluation.Plots;
using Lookalike.Evaluation.Reports;
using Lookalike.Evaluation.Sweeps;
using Lookalike.Indexes;
using Lookalike.IO;
using Spectre.Console;

namespace Lookalike.Cli.Commands;

/// <summary><c>lookalike sweep</c>: a grid of index settings on shared features, as a table and plots.</summary>
internal static class SweepCommand
{
    public static Command Create(CliContext context)
    {
        // --db, --queries and --index are needed unless an earlier sweep is re-read (checked below).
        var inputs = new EvaluationInputs.Options(required: false);
        var index = new Option<string[]>("--index")
        {
            Description = "Spec pattern with ranges and lists, e.g. \"E2Lsh(tables=3..8,projections=2..4,width=4,6,8)\"; repeat for several.",
        };
        var metric = new Option<string>("--metric") { Description = "l2 or cosine.", DefaultValueFactory = _ => "cosine" };
        metric.AcceptOnlyFromAmong("l2", "cosine");
        var k = CommonOptions.TopK("Cut-off of mAP@k");
        var output = new Option<string>("--out") { Description = "Folder for sweep.json, sweep.md and the plots.", Required = true };
        var pick = new Option<string?>("--pick") { Description = "Print the cheapest setting meeting a target, e.g. \"recall>=0.95\" or \"map>=0.5 and visited<=5\"." };
        var html = new Option<bool>("--html") { Description = "Also write sweep.html: the table and the plots on one page." };
        var from = new Option<string?>("--from-json") { Description = "Re-plot and re-pick from an earlier sweep.json instead of evaluating." };
        var command = new Command("sweep", "Evaluate a grid of index settings (one exact ground truth, shared features): table, JSON, plots, Pareto fronts.")
        {
            index, metric, k, output, pick, html, from,
        };
        foreach (var option in inputs.All()) command.Options.Add(option);
        command.Validators.Add(r =>
        {
            if (r.GetValue(from) is null && (r.GetValue(inputs.Database) is null || r.GetValue(inputs.Queries) is null || r.GetValue(index) is not { Length: > 0 }))
                r.AddError("sweep needs --db, --queries and --index (or --from-json FILE).");
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            string folder = Path.GetFullPath(parse.GetValue(output)!);
            SweepResult sweep;
            if (parse.GetValue(from) is { } json)
            {
                if (!File.Exists(json)) throw new LookalikeException($"'{json}' does not exist.");
                sweep = SweepReportWriter.ReadJson(json);
            }
            else
            {
                var patterns = parse.GetValue(index)!;
                int settings = patterns.Sum(p => SpecGrid.Expand(p).Count);
                context.Error.WriteLine($"{settings} setting(s) to evaluate (+ the exact scan).");
                var data = await EvaluationInputs.LoadAsync(context, parse, inputs, cancellationToken);
                var options = new SweepOptions(patterns, DistanceMetrics.Parse(parse.GetValue(metric)!), parse.GetValue(k));
                sweep = await ConsoleProgress.RunAsync(context, "Sweeping", p => Task.Run(() =>
                    Sweep.Run(data.Database, data.Queries, options, data.DistractorCount, data.WithoutDistractors, p), cancellationToken));
            }
            Directory.CreateDirectory(folder);
            SweepReportWriter.WriteJson(sweep, Path.Combine(folder, "sweep.json"));
            string table = SweepReportWriter.ToMarkdown(sweep);
            AtomicFile.WriteAllText(Path.Combine(folder, "sweep.md"), table);
            var plots = SweepPlots.Write(sweep, folder);
            context.Console.Profile.Out.Writer.WriteLine(table);
            string? picked = null;
            if (parse.GetValue(pick) is { } target)
            {
                var row = SweepPicker.Pick(sweep.Rows, target);
                picked = row is null
                    ? $"no setting meets {target}"
                    : FormattableString.Invariant($"{row.Spec}: recall@10 {row.RecallAt10:F4}, mAP {row.Map:F4}, visited {row.VisitedPercent:F2} %, p50 {row.LatencyP50Ms:F3} ms (cheapest meeting {target})");
                context.Console.Profile.Out.Writer.WriteLine($"Picked: {picked}");
            }
            if (parse.GetValue(html)) AtomicFile.WriteAllText(Path.Combine(folder, "sweep.html"), SweepReportWriter.ToHtml(sweep, plots, picked));
            context.Console.MarkupLine($"Wrote sweep.json, sweep.md{(parse.GetValue(html) ? ", sweep.html" : "")} and {plots.Count} plots to [bold]{Markup.Escape(folder)}[/].");
            return 0;
        });
        return command;
    }
}
