using System.CommandLine;
using Lookalike.Cli.Output;
using Lookalike.Errors;
using Lookalike.Evaluation.Datasets;
using Lookalike.Onnx;
using Lookalike.Onnx.Models;

namespace Lookalike.Cli.Commands;

/// <summary>The database, queries and distractors of <c>eval</c>, <c>sweep</c> and <c>stats</c>, loaded with progress.</summary>
/// <param name="Database">The database, distractors appended (unlabelled) when given.</param>
/// <param name="Queries">The labelled queries (null when the verb needs none).</param>
/// <param name="DistractorCount">How many rows at the end of <paramref name="Database"/> are distractors.</param>
/// <param name="WithoutDistractors">The database alone, when there are distractors.</param>
internal sealed record EvaluationInputs(LabeledVectors Database, LabeledVectors? Queries, int DistractorCount,
    LabeledVectors? WithoutDistractors)
{
    /// <summary>The options the verbs share; each verb gets its own instances.</summary>
    internal sealed class Options
    {
        public Option<string> Database { get; } = new("--db")
        {
            Description = "Database: folder of class/image, collection folder, .npy/.fvecs, or fashion-mnist:train.",
            Required = true,
        };

        public Option<string> Queries { get; } = new("--queries") { Description = "Labelled queries, in any form --db accepts.", Required = true };

        public Option<string?> Distractors { get; } = new("--distractors")
        {
            Description = "Unlabelled images (or features) added to the database; never relevant. Reports show results with and without them.",
        };

        public Option<int?> QueriesPerClass { get; } = new("--queries-per-class") { Description = "Use only the first N queries of each class (a fixed subset)." };

        public Option<string?> Model { get; } = CommonOptions.Model();

        public IEnumerable<Option> All(bool queries) => queries
            ? [Database, Queries, Distractors, QueriesPerClass, Model]
            : [Database, Model];
    }

    /// <summary>Loads what the options name; image folders are featurised once and cached.</summary>
    public static async Task<EvaluationInputs> LoadAsync(CliContext context, ParseResult parse, Options options, bool queries,
        CancellationToken cancellationToken)
    {
        OnnxFeatureExtractor? extractor = null;
        try
        {
            var loader = new DatasetLoader(() => extractor ??= new OnnxFeatureExtractor(
                OnnxFeatureExtractorOptions.ResNet50Keras(ModelLocator.Resolve(parse.GetValue(options.Model)))),
                Path.Combine(ModelLocator.DataDirectory, "cache"));
            var db = await ConsoleProgress.RunAsync(context, "Database", p => loader.LoadAsync(parse.GetValue(options.Database)!, p, cancellationToken));
            if (!queries) return new EvaluationInputs(db, null, 0, null);
            var qs = await ConsoleProgress.RunAsync(context, "Queries", p => loader.LoadAsync(parse.GetValue(options.Queries)!, p, cancellationToken));
            if (parse.GetValue(options.QueriesPerClass) is { } n) qs = qs.TakePerClass(n);
            if (qs.Labels.All(l => l is null)) throw new LookalikeException($"The queries '{qs.Source}' carry no labels; lay them out as class/image.");
            if (parse.GetValue(options.Distractors) is not { } d) return new EvaluationInputs(db, qs, 0, null);
            var extra = await ConsoleProgress.RunAsync(context, "Distractors", p => loader.LoadAsync(d, p, cancellationToken));
            return new EvaluationInputs(db.Concat(extra, unlabel: true), qs, extra.Count, db);
        }
        finally
        {
            extractor?.Dispose();
        }
    }
}
