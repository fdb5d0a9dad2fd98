using System.CommandLine;
using System.Globalization;
using Lookalike.Cli.Output;
using Lookalike.Collections;
using Lookalike.Errors;
using Lookalike.Features;
using Lookalike.Indexes;
using Lookalike.Indexing;
using Lookalike.IO;
using Lookalike.Sessions;
using Spectre.Console;

namespace Lookalike.Cli.Commands;

/// <summary><c>lookalike index &lt;folder&gt;</c>: add a folder's new and changed images to a collection.</summary>
internal static class IndexCommand
{
    public static Command Create(CliContext context)
    {
        var folder = new Argument<string>("folder") { Description = "Folder of images (searched recursively)." };
        var collection = CommonOptions.Collection();
        var model = CommonOptions.Model();
        var device = CommonOptions.Device();
        var labels = new Option<bool>("--labels-from-folders") { Description = "Use each image's parent folder name as its class label." };
        var metric = CommonOptions.Metric();
        metric.Description = "Default metric of a new collection: l2 or cosine (default: the model's preferred, cosine).";
        var index = CommonOptions.PersistedIndexes();
        var head = new Option<string?>("--head") { Description = "A head trained by 'lookalike train' (head.json): store fine-tuned features (a new collection; later runs reuse it)." };
        var batch = new Option<int>("--batch-size") { Description = "Images per inference call.", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime threads (0 = one per core).", DefaultValueFactory = _ => 0 };
        var decoders = new Option<int>("--decode-threads") { Description = "Threads decoding images during inference.", DefaultValueFactory = _ => 1 };
        var maxPixels = CommonOptions.MaxPixels();
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Name every file merged into another of the same content (one line each on standard error)." };
        var commitEvery = new Option<int>("--commit-every") { Description = "Commit after this many new images (also every 30 s).", DefaultValueFactory = _ => 1000 };
        commitEvery.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--commit-every must be at least 1."); });
        batch.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--batch-size must be at least 1."); });
        decoders.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--decode-threads must be at least 1."); });
        threads.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 0) r.AddError("--threads must be 0 or more."); });
        var watch = new Option<bool>("--watch") { Description = "After indexing, keep watching the folder: new and changed files are indexed within seconds (Ctrl+C stops)." };
        var removeMissing = new Option<bool>("--remove-missing") { Description = "Remove the images whose files are gone from the folder (after the run, and after each change with --watch)." };
        var rescanEvery = new Option<int>("--rescan-every") { Description = "With --watch, rescan the whole folder at least this often, in seconds, whatever notifications say.", DefaultValueFactory = _ => 60 };
        var sampleFirst = new Option<int?>("--sample-first") { Description = "Index an even sample of this many images first and commit it, so searches work while the rest follows." };
        sampleFirst.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is < 1) r.AddError("--sample-first must be at least 1."); });
        rescanEvery.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--rescan-every must be at least 1 second."); });

        var command = new Command("index", "Extract features of a folder's images and add them to a collection. Only new or changed files are processed.")
        {
            folder, collection, model, device, labels, metric, index, batch, threads, decoders, head, maxPixels, commitEvery, verbose, watch, removeMissing, rescanEvery, sampleFirst,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            // Scan first: a missing or empty folder fails before anything is created.
            var scanned = ImageFiles.Scan(parse.GetValue(folder)!);
            string location = CollectionLocations.Normalize(parse.GetValue(collection)!);
            // The decoding journal is local: in the collection's folder, or beside the user's data for a database.
            string journalFolder = CollectionLocations.LocalFolder(location, Onnx.Models.ModelLocator.DataDirectory, "journals");
            DecodeJournal journal;
            try
            {
                Directory.CreateDirectory(journalFolder);
                journal = new DecodeJournal(journalFolder);
            }
            catch (Exception e) when (StorageException.IsStorageFailure(e))
            {
                throw new StorageException($"Cannot write collection folder '{journalFolder}'", e);
            }
            string[] specs = parse.GetValue(index) ?? [];
            await using var session = await LookalikeSession.OpenAsync(context.Services, new SessionRequest
            {
                Location = location,
                Access = CollectionAccess.WriteOrCreate,
                ModelPath = parse.GetValue(model),
                Device = Onnx.ExecutionDevice.Parse(parse.GetValue(device)),
                HeadPath = parse.GetValue(head),
                Metric = CommonOptions.ParseMetric(parse.GetValue(metric)),
                IndexSpec = specs.FirstOrDefault() ?? Flat.TypeName,
                Tune = o => o with
                {
                    BatchSize = parse.GetValue(batch),
                    IntraOpThreads = parse.GetValue(threads),
                    DecodeThreads = parse.GetValue(decoders),
                    DecodeJournal = journal,
                    Loader = o.Loader with { MaxPixels = parse.GetValue(maxPixels) },
                },
            }, cancellationToken);
            var store = session.Collection;
            CheckSpecs(context, store, specs);
            int? sample = parse.GetValue(sampleFirst);
            var indexer = new FolderIndexer(store, session.Extractor, new FolderIndexerOptions
            {
                LabelsFromFolders = parse.GetValue(labels),
                Journal = journal,
                CommitEvery = parse.GetValue(commitEvery),
                CommitAfter = sample,
            });
            if (sample is { } count) scanned = scanned.SampleFirst(count);
            // A server of this collection shows the run's progress from this file.
            using var status = IndexingStatus.Report(journalFolder, scanned.Root);
            var report = await ConsoleProgress.RunAsync(context, "Indexing",
                progress => indexer.IndexAsync(scanned, status.Wrap(progress), cancellationToken));
            var missing = parse.GetValue(removeMissing) ? await ImageRemoval.RemoveMissingAsync(store, scanned.Root, cancellationToken) : [];
            await SaveIndexesAsync(context, store, specs, cancellationToken, status);
            Print(context, report, store.Info, parse.GetValue(verbose));
            if (missing.Count > 0) context.Console.WriteLine($"Removed {missing.Count} image(s) whose files are gone.");
            status.Dispose();
            if (parse.GetValue(watch))
            {
                await WatchAsync(context, store, indexer, scanned.Root, parse.GetValue(removeMissing), TimeSpan.FromSeconds(parse.GetValue(rescanEvery)),
                    cancellationToken);
            }
            return 0;
        });
        return command;
    }

    /// <summary>Indexes the folder again each time it changes, until cancelled; one line per pass that changed something.</summary>
    private static async Task WatchAsync(CliContext context, ImageCollection store, FolderIndexer indexer, string root, bool removeMissing,
        TimeSpan rescanEvery, CancellationToken cancellationToken)
    {
        using var watcher = new FolderWatcher(root, rescanEvery, settle: TimeSpan.FromSeconds(1));
        context.Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Watching {root} ({(watcher.Notifies ? "notifications, and " : "")}a rescan every {rescanEvery.TotalSeconds:F0} s); Ctrl+C stops."));
        while (true)
        {
            try
            {
                await watcher.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                context.Console.WriteLine("Stopped watching.");
                return;
            }
            var report = await indexer.IndexAsync(ImageFiles.Scan(root, allowEmpty: true), progress: null, cancellationToken);
            var missing = removeMissing ? await ImageRemoval.RemoveMissingAsync(store, root, cancellationToken) : [];
            foreach (var failure in report.Failures) context.Error.WriteLine($"skipped {LineText.Escape(failure.Path)}: {failure.Reason}");
            if (report.Added + report.Replaced + missing.Count == 0) continue;
            await store.SaveIndexesAsync([], cancellationToken: cancellationToken);
            context.Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{DateTime.Now:HH:mm:ss} added {report.Added}, replaced {report.Replaced}, removed {missing.Count}; the collection holds {store.Count} image(s)."));
        }
    }

    /// <summary>Throws for a spec <see cref="SaveIndexesAsync"/> would refuse: called before the long work, so a typo costs no featurising or import.</summary>
    public static void CheckSpecs(CliContext context, ImageCollection store, string[] specs)
    {
        foreach (string spec in specs) context.Indexes.Validate(store.Info.Model.Dimension, spec, store.Info.Metric);
    }

    /// <summary>
    /// Builds the indexes named (and brings those saved before up to date), with progress; a
    /// collection with none saved and none named gets the default approximate index (<see cref="HnswOptions.DefaultSpec"/>).
    /// </summary>
    public static async Task SaveIndexesAsync(CliContext context, ImageCollection store, string[] specs, CancellationToken cancellationToken,
        IndexingStatus.Reporter? status = null)
    {
        if (specs.Length == 0 && store.Info.Indexes.Count == 0) specs = [HnswOptions.DefaultSpec];
        await ConsoleProgress.RunAsync(context, "Indexes",
            progress => Task.Run(() => store.SaveIndexesAsync(specs, progress: status?.Wrap(progress) ?? progress, cancellationToken: cancellationToken).AsTask(),
                cancellationToken));
    }

    private static string LabelOf(string? label) => label is null ? "" : $" ({LineText.Escape(label)})";

    private static void Print(CliContext context, IndexingReport report, CollectionInfo info, bool verbose)
    {
        foreach (var failure in report.Failures) context.Error.WriteLine($"skipped {LineText.Escape(failure.Path)}: {failure.Reason}");
        var c = CultureInfo.InvariantCulture;
        context.Console.MarkupLine(string.Create(c,
            $"Indexed [bold]{report.Added}[/] new image(s) of {report.Scanned} in {report.Elapsed.TotalSeconds:F1} s ({report.ImagesPerSecond:F1} images/s): " +
            $"{report.Unchanged} unchanged, {report.Duplicates} duplicate(s), {report.Replaced} replaced, {report.Failures.Count} skipped as unreadable, {report.IgnoredFiles} non-image file(s) ignored."));
        if (report.Duplicates > 0)
        {
            if (verbose)
            {
                foreach (var merged in report.Merged)
                    context.Error.WriteLine($"merged {LineText.Escape(merged.Path)}{LabelOf(merged.Label)} into {LineText.Escape(merged.KeptPath)}{LabelOf(merged.KeptLabel)}: same content");
            }
            int conflicting = report.ConflictingLabels.Count;
            context.Console.WriteLine(string.Create(c,
                $"{report.Duplicates} file(s) had the content of another and were merged into it ({conflicting} under another label){(verbose ? "" : "; --verbose names them")}."));
        }
        context.Console.MarkupLine($"Collection [bold]{Markup.Escape(info.Location)}[/] now holds {info.Count} image(s).");
    }
}
