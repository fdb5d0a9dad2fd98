using System.CommandLine;
using System.Globalization;
using Lookalike.Cli.Output;
using Lookalike.Evaluation.Reports;
using Lookalike.Evaluation.Tuning;
using Lookalike.Indexes;
using Spectre.Console;

namespace Lookalike.Cli.Commands;

/// <summary><c>lookalike tune</c>: E2LSH / multi-probe parameters for a collection, chosen to meet a recall target.</summary>
internal static class TuneCommand
{
    public static Command Create(CliContext context)
    {
        var source = new VectorSourceOptions("Vectors to tune for");
        var target = new Option<double>("--target-recall") { Description = "Recall@10 against the exact scan to reach.", DefaultValueFactory = _ => 0.9 };
        target.Validators.Add(r => { if (r.GetValueOrDefault<double>() is <= 0 or > 1) r.AddError("--target-recall must be in (0, 1]."); });
        var metric = CommonOptions.Metric();
        var sample = new Option<int>("--sample") { Description = "Held-out queries for tuning (as many again check the choice).", DefaultValueFactory = _ => 200 };
        var seed = new Option<int>("--seed") { Description = "Seed of the hold-out draw and the projections.", DefaultValueFactory = _ => 42 };
        var family = new Option<string>("--family")
        {
            Description = "e2lsh: E2Lsh widths with and without multi-probe; lsh: also centred HyperplaneLsh and CrossPolytopeLsh with probes, candidate budgets and collision counting.",
            DefaultValueFactory = _ => TuneOptions.E2LshFamily,
        };
        family.AcceptOnlyFromAmong(TuneOptions.E2LshFamily, TuneOptions.LshFamily);
        var maxVisited = new Option<double?>("--max-visited") { Description = "Choose only settings visiting at most this percentage of the database." };
        maxVisited.Validators.Add(r => { if (r.GetValueOrDefault<double?>() is <= 0 or > 100) r.AddError("--max-visited must be in (0, 100]."); });
        var json = new Option<string?>("--json") { Description = "Also write the choice and every candidate to this JSON file." };
        var command = new Command("tune", "Pick LSH parameters that reach a recall target with the fewest visited candidates.")
        {
            target, metric, sample, seed, family, maxVisited, json,
        };
        source.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var data = await source.LoadAsync(context, parse, cancellationToken);
            var chosenMetric = CommonOptions.ParseMetric(parse.GetValue(metric)) ?? await CollectionMetricAsync(source.Source(parse));
            var options = new TuneOptions(parse.GetValue(target), chosenMetric, parse.GetValue(sample), parse.GetValue(seed),
                parse.GetValue(family) ?? TuneOptions.E2LshFamily, parse.GetValue(maxVisited));
            var result = await ConsoleProgress.RunAsync(context, "Tuning", p => Task.Run(() => LshTuner.Tune(data, options, p), cancellationToken));
            Print(context, result, options);
            if (parse.GetValue(json) is { } path) TuneReportWriter.WriteJson(result, path);
            return result.Spec is null ? LookalikeCli.UserError : 0;
        });
        return command;
    }

    /// <summary>The metric a collection searches with; cosine for other sources.</summary>
    private static async Task<DistanceMetric> CollectionMetricAsync(string source)
    {
        if (!Collections.EmbeddedCollection.Exists(source)) return DistanceMetric.Cosine;
        await using var collection = Collections.EmbeddedCollection.OpenReadOnly(source);
        return collection.Info.Metric;
    }

    private static void Print(CliContext context, TuneResult result, TuneOptions options)
    {
        var c = CultureInfo.InvariantCulture;
        var table = new CliTable("candidate (cheapest setting of its structure reaching the target)", "recall@10", "visited %");
        foreach (var candidate in result.Candidates.Take(10))
            table.AddRow(candidate.Spec, candidate.Recall.ToString("F3", c), candidate.VisitedPercent.ToString("F2", c));
        table.WriteTo(context.Console);
        context.Console.WriteLine(string.Create(c,
            $"{result.Database} vectors, {options.Metric.Name()}; median distance to the 10th neighbour {result.TenthNeighbourDistance:G4}; {result.Evaluations} settings measured."));
        if (result.Spec is null)
        {
            string limit = options.MaxVisitedPercent is { } p ? string.Create(c, $" visiting at most {p:G4} %") : "";
            context.Error.WriteLine(string.Create(c, $"error: no setting reached recall {options.TargetRecall:F2}{limit}; use the exact scan (Flat)."));
            return;
        }
        context.Console.MarkupLine(string.Create(c,
            $"Chosen: [bold]{Markup.Escape(result.Spec)}[/] — recall@10 {result.TuningRecall:F3} on the tuning sample, {result.CheckRecall:F3} on a second held-out sample, visiting {result.CheckVisitedPercent:F2} % of the database; {result.CheckQueriesPerSecond.Chosen:F0} q/s on one thread (the exact scan: {result.CheckQueriesPerSecond.Flat:F0})."));
    }
}
