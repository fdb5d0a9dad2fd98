using System.CommandLine;
using System.Globalization;
using Lookalike.Cli.Output;
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
        var command = new Command("tune", "Pick E2LSH / multi-probe parameters that reach a recall target with the fewest visited candidates.")
        {
            target, metric, sample, seed,
        };
        source.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var data = await source.LoadAsync(context, parse, cancellationToken);
            var chosenMetric = CommonOptions.ParseMetric(parse.GetValue(metric)) ?? await CollectionMetricAsync(source.Source(parse));
            var options = new TuneOptions(parse.GetValue(target), chosenMetric, parse.GetValue(sample), parse.GetValue(seed));
            var result = await ConsoleProgress.RunAsync(context, "Tuning", p => Task.Run(() => LshTuner.Tune(data, options, p), cancellationToken));
            Print(context, result, options);
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
        var table = new Table().AddColumns("candidate (narrowest width reaching the target)", "recall@10", "visited %");
        foreach (var candidate in result.Candidates.Take(10))
            table.AddRow(Markup.Escape(candidate.Spec), candidate.Recall.ToString("F3", c), candidate.VisitedPercent.ToString("F2", c));
        context.Console.Write(table);
        context.Console.WriteLine(string.Create(c,
            $"{result.Database} vectors, {options.Metric.Name()}; median distance to the 10th neighbour {result.TenthNeighbourDistance:G4}; {result.Evaluations} settings measured."));
        if (result.Spec is null)
        {
            context.Error.WriteLine(string.Create(c, $"error: no setting reached recall {options.TargetRecall:F2}; use the exact scan (Flat)."));
            return;
        }
        context.Console.MarkupLine(string.Create(c,
            $"Chosen: [bold]{Markup.Escape(result.Spec)}[/] — recall@10 {result.TuningRecall:F3} on the tuning sample, {result.CheckRecall:F3} on a second held-out sample, visiting {result.CheckVisitedPercent:F2} % of the database."));
    }
}
