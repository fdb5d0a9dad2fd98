using System.CommandLine;
using Lookalike.Cli.Output;
using Lookalike.Collections;
using Lookalike.Errors;
using Lookalike.Evaluation.Datasets;
using Lookalike.Features;
using Lookalike.IO;
using Lookalike.Onnx;
using Lookalike.Onnx.Imaging;
using Lookalike.Onnx.Models;
using Lookalike.Training.Heads;

namespace Lookalike.Cli.Commands;

/// <summary>The database, queries and distractors of <c>eval</c> and <c>sweep</c> (or one vector set for <c>stats</c> and <c>tune</c>), loaded with progress.</summary>
/// <param name="Database">The database, distractors appended (unlabelled) when given.</param>
/// <param name="Queries">The labelled queries.</param>
/// <param name="DistractorCount">How many rows at the end of <paramref name="Database"/> are distractors.</param>
/// <param name="WithoutDistractors">The database alone, when there are distractors.</param>
internal sealed record EvaluationInputs(LabeledVectors Database, LabeledVectors Queries, int DistractorCount,
    LabeledVectors? WithoutDistractors)
{
    /// <summary>The options the verbs share; each verb gets its own instances.</summary>
    /// <param name="required">Whether --db and --queries must be given (a verb with another source of results says false).</param>
    internal sealed class Options(bool required = true)
    {
        public Option<string> Database { get; } = new("--db")
        {
            Description = "Database: folder of class/image, collection (folder or postgres://…), .npy/.fvecs, or fashion-mnist:train.",
            Required = required,
        };

        public Option<string> Queries { get; } = new("--queries") { Description = "Labelled queries, in any form --db accepts.", Required = required };

        public Option<string?> Distractors { get; } = new("--distractors")
        {
            Description = "Unlabelled images (or features) added to the database; never relevant. Reports show results with and without them.",
        };

        public Option<int?> QueriesPerClass { get; } = new("--queries-per-class") { Description = "Use only the first N queries of each class (a fixed subset)." };

        public Option<string?> Model { get; } = CommonOptions.Model();

        public Option<string?> Device { get; } = CommonOptions.Device();

        public Option<string?> Head { get; } = new("--head") { Description = "A head trained by 'lookalike train' (head.json): search with its fine-tuned features." };

        public IEnumerable<Option> All() => [Database, Queries, Distractors, QueriesPerClass, Model, Device, Head];
    }

    /// <summary>Loads what the options name; image folders are featurised once and cached.</summary>
    public static async Task<EvaluationInputs> LoadAsync(CliContext context, ParseResult parse, Options options,
        CancellationToken cancellationToken)
    {
        using var features = new LazyExtractor(parse.GetValue(options.Model), parse.GetValue(options.Device), context.Collections);
        var db = await ConsoleProgress.RunAsync(context, "Database", p => features.Loader.LoadAsync(parse.GetValue(options.Database)!, p, cancellationToken));
        var qs = await ConsoleProgress.RunAsync(context, "Queries", p => features.Loader.LoadAsync(parse.GetValue(options.Queries)!, p, cancellationToken));
        db.EnsureSameModel(qs);
        ReportIdenticalFiles(context, "database", db);
        ReportIdenticalFiles(context, "queries", qs);
        if (parse.GetValue(options.QueriesPerClass) is { } n) qs = qs.TakePerClass(n);
        if (qs.Labels.All(l => l is null)) throw new LookalikeException($"The queries '{qs.Source}' carry no labels; lay them out as class/image.");
        var head = parse.GetValue(options.Head) is { } headFile ? HeadFile.Load(headFile) : null;
        if (head is not null)
        {
            db = head.Embed(db);
            qs = head.Embed(qs);
        }
        if (parse.GetValue(options.Distractors) is not { } d) return new EvaluationInputs(db, qs, 0, null);
        var extra = await ConsoleProgress.RunAsync(context, "Distractors", p => features.Loader.LoadAsync(d, p, cancellationToken));
        db.EnsureSameModel(extra);
        if (head is not null) extra = head.Embed(extra);
        return new EvaluationInputs(db.Concat(extra, unlabel: true), qs, extra.Count, db);
    }

    /// <summary>Loads one set of vectors (no queries), for statistics, tuning or training; images altered by <paramref name="augmentation"/>.</summary>
    public static async Task<LabeledVectors> LoadAsync(CliContext context, string source, string? model, CancellationToken cancellationToken,
        ImageAugmentation augmentation = ImageAugmentation.None, string? device = null)
    {
        using var features = new LazyExtractor(model, device, context.Collections, augmentation);
        string stage = augmentation == ImageAugmentation.None ? "Vectors" : $"Vectors ({augmentation.ToString().ToLowerInvariant()})";
        return await ConsoleProgress.RunAsync(context, stage, p => features.Loader.LoadAsync(source, p, cancellationToken));
    }

    /// <summary>
    /// One line when a folder holds byte-identical files (kept as separate rows: a query finds its copy at distance 0), and one
    /// line on standard error for each copy filed under another label.
    /// </summary>
    private static void ReportIdenticalFiles(CliContext context, string role, LabeledVectors vectors)
    {
        if (vectors.IdenticalFiles.Count == 0) return;
        var conflicting = vectors.IdenticalFiles.Where(m => m.LabelConflicts).ToList();
        foreach (var copy in conflicting)
            context.Error.WriteLine($"{role}: {LineText.Escape(copy.Path)} ({copy.Label}) has the content of {LineText.Escape(copy.KeptPath)} ({copy.KeptLabel})");
        context.Console.Profile.Out.Writer.WriteLine($"The {role} holds {vectors.IdenticalFiles.Count} file(s) byte-identical to another of its files " +
            $"({conflicting.Count} under another label); each is evaluated as its own image.");
    }

    /// <summary>A dataset loader whose model is loaded only when an image folder needs featurising.</summary>
    private sealed class LazyExtractor : IDisposable
    {
        private OnnxFeatureExtractor? _extractor;

        public LazyExtractor(string? model, string? device, ICollectionProvider collections, ImageAugmentation augmentation = ImageAugmentation.None) =>
            Loader = new DatasetLoader(() => _extractor ??= new OnnxFeatureExtractor((OnnxFeatureExtractorOptions.ForModel(ModelLocator.Resolve(model)) with
            {
                Loader = new ImageLoaderOptions { Augmentation = augmentation },
            }).OnDevice(ExecutionDevice.Parse(device))), Path.Combine(ModelLocator.DataDirectory, "cache"), collections);

        public DatasetLoader Loader { get; }

        public void Dispose() => _extractor?.Dispose();
    }
}
