using System.CommandLine;
using Lookalike.Cli.Output;
using Lookalike.Errors;
using Lookalike.Evaluation;
using Lookalike.Evaluation.Datasets;
using Lookalike.Evaluation.Reports;
using Lookalike.Indexes;
using Lookalike.Onnx;
using Lookalike.Onnx.Models;

namespace Lookalike.Cli.Commands;

/// <summary><c>lookalike eval</c>: mAP, precision, recall vs exact and cost of indexes on labelled queries.</summary>
internal static class EvalCommand
{
    public static Command Create(CliContext context)
    {
        var inputs = new EvaluationInputs.Options();
        var index = new Option<string[]>("--index") { Description = "Index spec; repeat to compare several.", DefaultValueFactory = _ => [Flat.TypeName], AllowMultipleArgumentsPerToken = false };
        var metric = new Option<string>("--metric") { Description = "l2 or cosine.", DefaultValueFactory = _ => "cosine" };
        metric.AcceptOnlyFromAmong("l2", "cosine");
        var k = CommonOptions.TopK("Cut-off of mAP@k");
        var json = new Option<string?>("--json") { Description = "Also write the full report (per class included) to this JSON file." };
        var perClass = new Option<bool>("--per-class") { Description = "Print the per-class tables too." };
        var command = new Command("eval", "Evaluate indexes: labelled queries against a database (+ distractors), mAP@k, P@10/50, top-n, recall@10 vs exact, work and latency.")
        {
            index, metric, k, json, perClass,
        };
        foreach (var option in inputs.All()) command.Options.Add(option);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var data = await EvaluationInputs.LoadAsync(context, parse, inputs, cancellationToken);
            var options = new EvaluationOptions(parse.GetValue(index)!, DistanceMetrics.Parse(parse.GetValue(metric)!), parse.GetValue(k));
            if (data.WithoutDistractors is { } clean)
            {
                var without = await ConsoleProgress.RunAsync(context, "Evaluating without distractors",
                    p => Task.Run(() => Evaluator.Run(clean, data.Queries, options, 0, p), cancellationToken));
                context.Console.Profile.Out.Writer.WriteLine("Without distractors:");
                context.Console.Profile.Out.Writer.WriteLine(EvaluationReportWriter.ToMarkdown(without, parse.GetValue(perClass)));
                context.Console.Profile.Out.Writer.WriteLine($"With {data.DistractorCount} distractors:");
            }
            var report = await ConsoleProgress.RunAsync(context, "Evaluating",
                p => Task.Run(() => Evaluator.Run(data.Database, data.Queries, options, data.DistractorCount, p), cancellationToken));
            context.Console.Profile.Out.Writer.WriteLine(EvaluationReportWriter.ToMarkdown(report, parse.GetValue(perClass)));
            if (parse.GetValue(json) is { } path) EvaluationReportWriter.WriteJson(report, path);
            return 0;
        });
        return command;
    }
}
