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
        var database = new Option<string>("--db") { Description = "Database: folder of class/image, collection folder, .npy/.fvecs, or fashion-mnist:train.", Required = true };
        var queries = new Option<string>("--queries") { Description = "Labelled queries, in any form --db accepts.", Required = true };
        var distractors = new Option<string?>("--distractors") { Description = "Unlabelled images (or features) added to the database; never relevant." };
        var index = new Option<string[]>("--index") { Description = "Index spec; repeat to compare several.", DefaultValueFactory = _ => [Flat.TypeName], AllowMultipleArgumentsPerToken = false };
        var metric = new Option<string>("--metric") { Description = "l2 or cosine.", DefaultValueFactory = _ => "cosine" };
        metric.AcceptOnlyFromAmong("l2", "cosine");
        var k = new Option<int>("-k") { Description = "Cut-off of mAP@k.", DefaultValueFactory = _ => 10 };
        k.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 1 or > 1000) r.AddError("-k must be between 1 and 1000."); });
        var perClassQueries = new Option<int?>("--queries-per-class") { Description = "Use only the first N queries of each class (a fixed subset)." };
        var model = CommonOptions.Model();
        var json = new Option<string?>("--json") { Description = "Also write the full report (per class included) to this JSON file." };
        var perClass = new Option<bool>("--per-class") { Description = "Print the per-class tables too." };
        var command = new Command("eval", "Evaluate indexes: labelled queries against a database (+ distractors), mAP@k, P@10/50, top-n, recall@10 vs exact, work and latency.")
        {
            database, queries, distractors, index, metric, k, perClassQueries, model, json, perClass,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            OnnxFeatureExtractor? extractor = null;
            try
            {
                var loader = new DatasetLoader(() => extractor ??= new OnnxFeatureExtractor(
                    OnnxFeatureExtractorOptions.ResNet50Keras(ModelLocator.Resolve(parse.GetValue(model)))),
                    Path.Combine(ModelLocator.DataDirectory, "cache"));
                var db = await ConsoleProgress.RunAsync(context, "Database", p => loader.LoadAsync(parse.GetValue(database)!, p, cancellationToken));
                var qs = await ConsoleProgress.RunAsync(context, "Queries", p => loader.LoadAsync(parse.GetValue(queries)!, p, cancellationToken));
                if (parse.GetValue(perClassQueries) is { } n) qs = qs.TakePerClass(n);
                if (qs.Labels.All(l => l is null)) throw new LookalikeException($"The queries '{qs.Source}' carry no labels; lay them out as class/image.");
                int distractorCount = 0;
                if (parse.GetValue(distractors) is { } d)
                {
                    var extra = await ConsoleProgress.RunAsync(context, "Distractors", p => loader.LoadAsync(d, p, cancellationToken));
                    db = db.Concat(extra, unlabel: true);
                    distractorCount = extra.Count;
                }
                var options = new EvaluationOptions(parse.GetValue(index)!, DistanceMetrics.Parse(parse.GetValue(metric)!), parse.GetValue(k));
                var report = await ConsoleProgress.RunAsync(context, "Evaluating",
                    p => Task.Run(() => Evaluator.Run(db, qs, options, distractorCount, p), cancellationToken));
                context.Console.Profile.Out.Writer.WriteLine(EvaluationReportWriter.ToMarkdown(report, parse.GetValue(perClass)));
                if (parse.GetValue(json) is { } path) EvaluationReportWriter.WriteJson(report, path);
                return 0;
            }
            finally
            {
                extractor?.Dispose();
            }
        });
        return command;
    }
}
