using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Lookalike.Cli.Output;
using Lookalike.Errors;
using Lookalike.Evaluation.Datasets;
using Lookalike.Evaluation.Plots;
using Lookalike.Features;
using Lookalike.IO;
using Lookalike.Onnx.Imaging;
using Lookalike.Onnx.Models;
using Lookalike.Training.Heads;
using Lookalike.Training.Stages;
using Spectre.Console;

namespace Lookalike.Cli.Commands;

/// <summary><c>lookalike train</c>: a dense head on frozen CNN features; its hidden layer becomes a retrieval embedding.</summary>
internal static class TrainCommand
{
    public static Command Create(CliContext context)
    {
        var database = new Option<string>("--db") { Description = "Labelled training data: folder of class/image, collection, or features (+ .labels.txt).", Required = true };
        var validation = new Option<string?>("--val") { Description = "Labelled validation data for early stopping and the report (default: a stratified 10 % of --db)." };
        var head = new Option<string>("--head")
        {
            Description = "Hidden layers, e.g. \"dropout(0.5),dense(256,relu),dropout(0.5),dense(128,relu),dense(64,relu)\".",
            DefaultValueFactory = _ => "dropout(0.5),dense(256,relu),dropout(0.5),dense(128,relu),dropout(0.5),dense(64,relu)",
        };
        var rate = new Option<double>("--lr") { Description = "Learning rate (Adam).", DefaultValueFactory = _ => 1e-4 };
        var patience = new Option<int>("--patience") { Description = "Epochs without a better validation loss before stopping; the best epoch is restored.", DefaultValueFactory = _ => 10 };
        var epochs = new Option<int>("--epochs") { Description = "Most epochs (with --unfreeze: of stage and head together, whose learning rates fall to 0 by the last).", DefaultValueFactory = _ => 200 };
        var batch = new Option<int>("--batch") { Description = "Mini-batch size.", DefaultValueFactory = _ => 128 };
        var decay = new Option<double>("--weight-decay") { Description = "Decoupled weight decay.", DefaultValueFactory = _ => 1e-4 };
        var loss = new Option<string>("--loss") { Description = "softmax (cross-entropy over the classes) or contrastive (supervised, in-batch negatives).", DefaultValueFactory = _ => "softmax" };
        loss.AcceptOnlyFromAmong("softmax", "contrastive");
        var embedding = new Option<int?>("--embedding-layer") { Description = "Layer (0-based, dropout layers counted) whose activations become the retrieval features; default: the last hidden dense layer." };
        var seed = new Option<int>("--seed") { Description = "Seed of initialisation, shuffling and dropout.", DefaultValueFactory = _ => 42 };
        var output = new Option<string>("--out") { Description = "Folder for head.json, report.txt/json and the curves (PNG).", Required = true };
        var augment = new Option<string?>("--augment") { Description = "Also train on features of altered copies of the --db images: flip, crop or flip,crop (extracted once, cached; with --unfreeze, their stage input maps, each joint step taking an image or one of its copies at random)." };
        var model = CommonOptions.Model();
        var device = CommonOptions.Device();
        var unfreeze = new Option<string?>("--unfreeze")
        {
            Description = "conv5: also train the backbone's last stage (three bottleneck blocks), head first, then both; writes model.onnx " +
                "(index with --model) and head.json. --db (and --val) must be folders of class/image.",
        };
        unfreeze.AcceptOnlyFromAmong("conv5");
        var warmup = new Option<int>("--warmup-head-epochs") { Description = "With --unfreeze: most epochs of the head alone first (early-stopped with --patience).", DefaultValueFactory = _ => 200 };
        var backboneRate = new Option<double>("--backbone-lr") { Description = "With --unfreeze: the stage's learning rate (AdamW; a fraction of each output channel's weight size; rising over the first joint epoch, then falling along a cosine to 0 by the last).", DefaultValueFactory = _ => 1e-3 };
        var absoluteSteps = new Option<bool>("--absolute-backbone-steps") { Description = "With --unfreeze: one absolute learning rate for all the stage's weights, whatever their size." };
        var stageBatch = new Option<int>("--stage-batch") { Description = "With --unfreeze: images per step of stage and head together.", DefaultValueFactory = _ => 32 };
        var jointRate = new Option<double?>("--joint-lr") { Description = "With --unfreeze: the head's learning rate while the stage trains too (default: a tenth of --lr)." };
        var batchStatistics = CommonOptions.BatchStatistics();
        var embedHead = new Option<bool>("--embed-head") { Description = "With --unfreeze: model.onnx ends with the head's L2-normalised embedding (--embedding-layer) instead of the pooled features, so --model alone gives it (no --head)." };
        var command = new Command("train", "Fine-tune: train a dense head on labelled CNN features (or, with --unfreeze conv5, the last stage too), print a classification report, save the head for --head.")
        {
            database, validation, head, rate, patience, epochs, batch, decay, loss, embedding, seed, output, model, device, augment,
            unfreeze, warmup, backboneRate, absoluteSteps, stageBatch, jointRate, batchStatistics, embedHead,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new HeadTrainingOptions(parse.GetValue(head)!, parse.GetValue(rate), parse.GetValue(epochs), parse.GetValue(patience),
                parse.GetValue(batch), parse.GetValue(decay), parse.GetValue(loss) == "contrastive" ? HeadLoss.Contrastive : HeadLoss.Softmax,
                EmbeddingLayer: parse.GetValue(embedding), Seed: parse.GetValue(seed));
            if (parse.GetValue(unfreeze) is null && parse.GetValue(batchStatistics))
                throw new LookalikeException("--batch-statistics is how the backbone's last stage trains: it needs --unfreeze conv5 (a dense head has no batch norms).");
            if (parse.GetValue(unfreeze) is null && parse.GetValue(embedHead))
                throw new LookalikeException("--embed-head writes the head into a fine-tuned model.onnx: it needs --unfreeze conv5 (a head alone is used with --head).");
            var augmentations = ImageAugmentations.ParseList(parse.GetValue(augment));
            if (parse.GetValue(unfreeze) is not null)
            {
                var request = new StageFineTuningRequest(ModelLocator.Resolve(parse.GetValue(model)), parse.GetValue(database)!, parse.GetValue(validation),
                    parse.GetValue(output)!, Path.Combine(ModelLocator.DataDirectory, "cache"),
                    new StageTrainingOptions(options, parse.GetValue(warmup), parse.GetValue(backboneRate), parse.GetValue(epochs),
                        parse.GetValue(patience), parse.GetValue(stageBatch), parse.GetValue(decay), parse.GetValue(jointRate),
                        RelativeSteps: !parse.GetValue(absoluteSteps), BatchStatistics: parse.GetValue(batchStatistics)),
                    Onnx.ExecutionDevice.Parse(parse.GetValue(device)), parse.GetValue(embedHead), augmentations);
                var outcome = await ConsoleProgress.RunAsync(context, "Fine-tuning conv5", p => StageFineTuning.RunAsync(request, p, cancellationToken));
                StageReport.Write(context, outcome);
                return 0;
            }
            var train = await EvaluationInputs.LoadAsync(context, parse.GetValue(database)!, parse.GetValue(model), cancellationToken,
                device: parse.GetValue(device));
            LabeledVectors valid;
            if (parse.GetValue(validation) is { } v) valid = await EvaluationInputs.LoadAsync(context, v, parse.GetValue(model), cancellationToken, device: parse.GetValue(device));
            else (train, valid) = train.SplitStratified(0.1, parse.GetValue(seed));
            if (augmentations.Count > 0 && (!Directory.Exists(parse.GetValue(database)) || Collections.EmbeddedCollection.Exists(parse.GetValue(database)!)))
                throw new LookalikeException("--augment needs --db to be a folder of images (class/image): it extracts features of altered copies.");
            var kept = train.Names.ToHashSet(StringComparer.Ordinal);
            foreach (var augmentation in augmentations)
            {
                // Copies of validation images stay out of training.
                var copies = await EvaluationInputs.LoadAsync(context, parse.GetValue(database)!, parse.GetValue(model), cancellationToken, augmentation,
                    parse.GetValue(device));
                var rows = Enumerable.Range(0, copies.Count).Where(i => kept.Contains(copies.Names[i])).ToList();
                train = train.Concat(copies.Rows(rows, $"{copies.Source} ({augmentation})"), unlabel: false);
            }
            var result = await ConsoleProgress.RunAsync(context, "Training", p => Task.Run(() => HeadTrainer.Train(train, valid, options, p), cancellationToken));
            string folder = Path.GetFullPath(parse.GetValue(output)!);
            Directory.CreateDirectory(folder);
            HeadFile.Save(result.Head, Path.Combine(folder, "head.json"));
            AtomicFile.WriteAllText(Path.Combine(folder, "report.txt"), result.Report.ToString());
            AtomicFile.Write(Path.Combine(folder, "report.json"), s => JsonSerializer.Serialize(s, new
            {
                head = result.Head.Network.Describe(),
                trainingRows = train.Count,
                validationRows = valid.Count,
                augmentations = augmentations.Select(a => a.ToString().ToLowerInvariant()),
                loss = result.Head.Loss.ToString().ToLowerInvariant(),
                embeddingLayer = result.Head.EmbeddingLayer,
                embeddingWidth = result.Head.EmbeddingWidth,
                bestEpoch = result.BestEpoch,
                stoppedEarly = result.StoppedEarly,
                report = result.Report,
                history = result.History,
            }, ReportJson.Options));
            Charts.Lines(Path.Combine(folder, "loss.png"), "loss per epoch", "epoch", "loss",
                [("train", [.. result.History.Select(h => ((double)h.Epoch, h.TrainLoss))]),
                 ("validation", [.. result.History.Select(h => ((double)h.Epoch, h.ValidationLoss))])]);
            if (options.Loss == HeadLoss.Softmax)
            {
                Charts.Lines(Path.Combine(folder, "accuracy.png"), "accuracy per epoch", "epoch", "accuracy",
                    [("train", [.. result.History.Select(h => ((double)h.Epoch, h.TrainAccuracy))]),
                     ("validation", [.. result.History.Select(h => ((double)h.Epoch, h.ValidationAccuracy))])]);
            }
            var c = CultureInfo.InvariantCulture;
            context.Console.Profile.Out.Writer.WriteLine(result.Report.ToString());
            context.Console.MarkupLine(string.Create(c,
                $"{Markup.Escape(result.Head.Network.Describe())}: best epoch {result.BestEpoch} of {result.History.Count}{(result.StoppedEarly ? " (stopped early; best weights restored)" : "")}; " +
                $"embedding: layer {result.Head.EmbeddingLayer}, {result.Head.EmbeddingWidth}-d. Saved to [bold]{Markup.Escape(folder)}[/]; search with --head {Markup.Escape(Path.Combine(folder, "head.json"))}."));
            return 0;
        });
        return command;
    }
}
