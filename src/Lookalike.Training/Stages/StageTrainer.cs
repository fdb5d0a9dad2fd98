using System.Diagnostics;
using Lookalike.Errors;
using Lookalike.Features;
using Lookalike.Onnx.Stages;
using Lookalike.Progress;
using Lookalike.Training.Convolutions;
using Lookalike.Training.Heads;
using Lookalike.Training.Networks;

namespace Lookalike.Training.Stages;

/// <summary>How to fine-tune the last stage with a head.</summary>
/// <param name="Head">The head and its training (learning rate, loss, dropout, batch size and patience of the warm-up).</param>
/// <param name="WarmupHeadEpochs">Most epochs of the head alone on the stage's original features, first.</param>
/// <param name="BackboneLearningRate">AdamW's learning rate of the stage: with <paramref name="RelativeSteps"/>, a fraction of each output channel's weight size (its root mean square at the start).</param>
/// <param name="Epochs">Most epochs of the stage and head together.</param>
/// <param name="Patience">Epochs without a better validation loss before stopping (the best epoch is restored).</param>
/// <param name="BatchSize">Images per step of the joint phase.</param>
/// <param name="WeightDecay">Decoupled weight decay of the stage's convolutions.</param>
/// <param name="JointHeadLearningRate">The head's learning rate in the joint phase (null: a tenth of the warm-up's, <see cref="HeadTrainingOptions.LearningRate"/>: the head starts converged).</param>
/// <param name="RelativeSteps">Whether the stage's steps scale with each output channel's weight size (<see cref="AdamW"/>); false: one absolute rate for all.</param>
/// <param name="BatchStatistics">Whether the stage's batch norms normalise by each joint step's batch (<see cref="Convolutions.BatchStatistics"/>); false: their frozen running statistics.</param>
public sealed record StageTrainingOptions(HeadTrainingOptions Head, int WarmupHeadEpochs = 200, double BackboneLearningRate = 1e-3, int Epochs = 30,
    int Patience = 5, int BatchSize = 32, double WeightDecay = 1e-4, double? JointHeadLearningRate = null, bool RelativeSteps = true,
    bool BatchStatistics = false)
{
    /// <summary>The head's learning rate in the joint phase: <see cref="JointHeadLearningRate"/> or a tenth of the warm-up's.</summary>
    public double JointHeadRate => JointHeadLearningRate ?? (Head.LearningRate / 10);

    /// <summary>The kind of batch norm the stage trains with, in words: "batch statistics" or "frozen running statistics".</summary>
    public string BatchNorms => DescribeBatchNorms(BatchStatistics);

    /// <summary>"batch statistics" or "frozen running statistics", as <paramref name="batchStatistics"/> says.</summary>
    public static string DescribeBatchNorms(bool batchStatistics) => batchStatistics ? "batch statistics" : "frozen running statistics";
}

/// <summary>One epoch of the joint phase.</summary>
/// <param name="Epoch">1-based.</param>
/// <param name="TrainLoss">Mean loss of the epoch's steps.</param>
/// <param name="ValidationLoss">Loss on the validation images after the epoch.</param>
/// <param name="TrainAccuracy">Share of training images classified right during the epoch (softmax heads).</param>
/// <param name="ValidationAccuracy">Share of validation images classified right after it.</param>
/// <param name="ImagesPerSecond">Training images per second (forward and backward of stage and head, reading the maps).</param>
/// <param name="GflopsPerSecond">The convolutions' floating-point operations per second (forward, and backward to weights and inputs).</param>
/// <param name="Seconds">Wall time of the epoch, validation included.</param>
public sealed record StageEpochRecord(int Epoch, double TrainLoss, double ValidationLoss, double TrainAccuracy, double ValidationAccuracy,
    double ImagesPerSecond, double GflopsPerSecond, double Seconds);

/// <summary>The outcome of fine-tuning a stage.</summary>
/// <param name="Stage">The stage with the best epoch's weights.</param>
/// <param name="Head">The head trained with it (takes the new stage's features).</param>
/// <param name="Warmup">The head-only phase; its head stays as the warm-up left it (the joint phase trains a copy).</param>
/// <param name="History">Every joint epoch run.</param>
/// <param name="BestEpoch">The joint epoch kept (0: none beat the warm-up, whose weights were kept).</param>
/// <param name="StoppedEarly">Whether patience ran out before the last epoch.</param>
/// <param name="Report">Classification report of the result on the validation images.</param>
public sealed record StageTrainingResult(ConvStage Stage, HeadModel Head, HeadTrainingResult Warmup, IReadOnlyList<StageEpochRecord> History,
    int BestEpoch, bool StoppedEarly, ClassificationReport Report);

/// <summary>
/// Fine-tunes a ResNet's last stage and a dense head, as the published studies did: the head first on
/// the stage's original (frozen) features, then stage and head together with AdamW at separate learning
/// rates, both rising over the first joint epoch and falling along a cosine to 0 by the last
/// (<see cref="WarmupCosineSchedule"/>), early stopping on the validation loss restoring the best epoch. Batch norms keep their
/// running statistics (trainable scale and shift) or, with <see cref="StageTrainingOptions.BatchStatistics"/>, normalise by each
/// step's batch; the head keeps the standardisation it was warmed up with.
/// </summary>
public static class StageTrainer
{
    private const int InferenceBatch = 32;

    /// <summary>
    /// Trains on <paramref name="train"/>'s maps in <paramref name="cache"/> (and on <paramref name="copies"/> of them: the warm-up on
    /// all, each joint step on one version of each image drawn at random), stopping on <paramref name="validation"/>.
    /// </summary>
    public static StageTrainingResult Train(ResNetStage parent, StageMapCache cache, StageExamples train, StageExamples validation,
        StageTrainingOptions options, IReadOnlyList<StageCopies>? copies = null, IProgress<ProgressUpdate>? progress = null,
        CancellationToken cancellationToken = default)
    {
        copies ??= [];
        if (copies.FirstOrDefault(c => c.Rows.Length != train.Count) is { } misfit)
            throw new ArgumentException($"The {misfit.Name} copies list {misfit.Rows.Length} rows for {train.Count} training images.", nameof(copies));
        if (options.Epochs < 0 || options.WarmupHeadEpochs < 1 || options.Patience < 1 || options.BatchSize < 2 || !(options.BackboneLearningRate >= 0)
            || options.JointHeadLearningRate is not (null or > 0))
            throw new LookalikeException("Warm-up epochs and patience must be at least 1, joint epochs at least 0, the batch at least 2, the stage's learning rate not negative, the joint head's positive.");
        if (cache.Shape.Channels != parent.InputChannels)
            throw new LookalikeException($"The cached maps have {cache.Shape.Channels} channels; the stage of '{parent.ModelPath}' takes {parent.InputChannels}.");
        var stage = new ConvStage(parent.Blocks, options.BatchStatistics);

        // Phase 1: the head alone, on the features the stage gives before any change.
        var trainFeatures = Pooled(stage, cache, train, progress, "Pooling the stage's features (train)", cancellationToken);
        var validFeatures = Pooled(stage, cache, validation, progress, "Pooling the stage's features (validation)", cancellationToken);
        var warmupFeatures = trainFeatures;
        foreach (var copy in copies)
        {
            var kept = Enumerable.Range(0, train.Count).Where(i => copy.Rows[i] >= 0).ToList();
            var examples = new StageExamples($"{train.Source} ({copy.Name})", [.. kept.Select(i => copy.Rows[i])], [.. kept.Select(i => train.Labels[i])],
                [.. kept.Select(i => train.Names[i])]);
            warmupFeatures = warmupFeatures.Concat(Pooled(stage, copy.Cache, examples, progress, $"Pooling the stage's features ({copy.Name})", cancellationToken),
                unlabel: false);
        }
        var warmup = HeadTrainer.Train(warmupFeatures, validFeatures, options.Head with { Epochs = options.WarmupHeadEpochs }, progress);
        // The joint phase trains a copy, so the warm-up's head stays as it was (a dense head on the parent's features).
        var head = warmup.Head.Copy();
        var network = head.Network;
        var index = head.Classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
        var (trainRows, trainY, trainKept) = Known(train, index);
        var (validRows, validY, _) = Known(validation, index);
        // Each kept example's versions: its own row in the cache, then its copies' (−1: none).
        var copyRows = copies.Select(c => trainKept.Select(i => c.Rows[i]).ToArray()).ToArray();

        var stageOptimizer = new AdamW(stage.Parameters, options.BackboneLearningRate, options.WeightDecay, relativeSteps: options.RelativeSteps);
        double headRate = options.JointHeadRate;
        var headOptimizer = new AdamW(network.Parameters, headRate, options.Head.WeightDecay);
        double bestLoss = Validate(stage, head, cache, validRows, validY, options.Head).Loss;
        int bestEpoch = 0;
        var best = (Stage: Parameter.Snapshot(stage.Parameters), Head: network.Snapshot());
        var history = new List<StageEpochRecord>();
        var random = new Random(options.Head.Seed);
        var order = Enumerable.Range(0, trainRows.Length).ToArray();
        double flopsPerImage = stage.TrainingFlops(cache.Shape.Height, cache.Shape.Width);
        bool stoppedEarly = false;
        // Full batches only (the remainder left out changes with each epoch's order): every step has the same shapes, so the
        // step's buffers (the maps of a batch are 25 MB) and the layers' are allocated once for the run.
        if (order.Length < 2) throw new LookalikeException($"'{train.Source}' needs at least two images of the training classes for a step.");
        int batchSize = Math.Min(options.BatchSize, order.Length);
        int stepsPerEpoch = order.Length / batchSize, step = 0;
        var (rows, y) = (new int[batchSize], new int[batchSize]);
        var maps = new FeatureMaps(cache.Shape.Channels, batchSize, cache.Shape.Height, cache.Shape.Width);
        var schedule = new WarmupCosineSchedule(stepsPerEpoch, stepsPerEpoch * options.Epochs);
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            random.Shuffle(order);
            double lossSum = 0;
            int correct = 0, seen = 0;
            for (int batchIndex = 0; batchIndex < stepsPerEpoch; batchIndex++)
            {
                int start = batchIndex * batchSize;
                cancellationToken.ThrowIfCancellationRequested();
                for (int i = 0; i < batchSize; i++) (rows[i], y[i]) = (trainRows[order[start + i]], trainY[order[start + i]]);
                if (copies.Count == 0) cache.Read(rows, maps);
                else ReadVersions(cache, copies, copyRows, order.AsSpan(start, batchSize), rows, maps, random);
                stage.ZeroGradients();
                network.ZeroGradients();
                var features = stage.Forward(maps, training: true);
                var output = network.Forward(head.Standardise(features, batchSize), batchSize, training: true);
                var (loss, gradient) = HeadTrainer.LossOf(output, y, network.Outputs, head.Classes.Count, options.Head);
                var featureGradient = network.BackwardToInput(gradient, batchSize);
                // Through the standardisation: ∂/∂feature = ∂/∂standardised · 1/std.
                for (int i = 0; i < batchSize; i++)
                {
                    var row = featureGradient.AsSpan(i * head.Inputs, head.Inputs);
                    System.Numerics.Tensors.TensorPrimitives.Multiply(row, head.Scaling.Scale, row);
                }
                stage.Backward(featureGradient);
                double factor = schedule.Factor(step++);
                (stageOptimizer.LearningRate, headOptimizer.LearningRate) = (options.BackboneLearningRate * factor, headRate * factor);
                if (options.BackboneLearningRate > 0) stageOptimizer.Step();
                headOptimizer.Step();
                lossSum += loss * batchSize;
                seen += batchSize;
                if (options.Head.Loss == HeadLoss.Softmax) correct += HeadTrainer.CountCorrect(output, y, head.Classes.Count);
                progress?.Report(new ProgressUpdate($"Fine-tuning (epoch {epoch})", seen, stepsPerEpoch * batchSize,
                    FormattableString.Invariant($"loss {lossSum / seen:F4}")));
            }
            double trainSeconds = clock.Elapsed.TotalSeconds;
            var (validLoss, validAccuracy) = Validate(stage, head, cache, validRows, validY, options.Head);
            history.Add(new StageEpochRecord(epoch, lossSum / Math.Max(1, seen), validLoss,
                options.Head.Loss == HeadLoss.Softmax ? (double)correct / Math.Max(1, seen) : double.NaN, validAccuracy,
                seen / trainSeconds, seen * flopsPerImage / trainSeconds / 1e9, clock.Elapsed.TotalSeconds));
            progress?.Report(new ProgressUpdate("Fine-tuning", epoch, options.Epochs,
                FormattableString.Invariant($"loss {lossSum / Math.Max(1, seen):F4}, val loss {validLoss:F4}, val acc {validAccuracy:F3}, {seen / trainSeconds:F1} images/s")));
            if (validLoss < bestLoss - 1e-6)
            {
                (bestLoss, bestEpoch) = (validLoss, epoch);
                best = (Parameter.Snapshot(stage.Parameters), network.Snapshot());
            }
            else if (epoch - bestEpoch >= options.Patience)
            {
                stoppedEarly = epoch < options.Epochs;
                break;
            }
        }
        Parameter.Restore(stage.Parameters, best.Stage);
        network.Restore(best.Head);

        // When no joint epoch was kept the stage is the one the warm-up pooled with: its features stand.
        LabeledVectors Final(StageExamples examples, LabeledVectors before) =>
            bestEpoch == 0 ? before : Pooled(stage, cache, examples, progress, "Pooling the fine-tuned features", cancellationToken);
        if (options.Head.Loss == HeadLoss.Contrastive)
        {
            var (x, labels) = HeadTrainer.Labelled(Final(train, trainFeatures), head.Classes);
            head.Centroids = HeadTrainer.ClassCentroids(head, x, labels, head.Classes.Count);
        }
        var (vx, vy) = HeadTrainer.Labelled(Final(validation, validFeatures), head.Classes);
        var report = ClassificationReport.Compute(head.Predict(vx, vy.Length), vy, head.Classes);
        return new StageTrainingResult(stage, head, warmup, history, bestEpoch, stoppedEarly, report);
    }

    /// <summary>The stage's pooled features of <paramref name="examples"/> (inference), labelled.</summary>
    public static LabeledVectors Pooled(ConvStage stage, StageMapCache cache, StageExamples examples, IProgress<ProgressUpdate>? progress,
        string what, CancellationToken cancellationToken)
    {
        var features = new float[(long)examples.Count * stage.Outputs];
        for (int start = 0; start < examples.Count; start += InferenceBatch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int batch = Math.Min(InferenceBatch, examples.Count - start);
            stage.Forward(cache.Read(examples.Rows.AsSpan(start, batch)), training: false).CopyTo(features, (long)start * stage.Outputs);
            progress?.Report(new ProgressUpdate(what, start + batch, examples.Count));
        }
        return new LabeledVectors(examples.Source, stage.Outputs, features, [.. examples.Labels], examples.Names);
    }

    private static (double Loss, double Accuracy) Validate(ConvStage stage, HeadModel head, StageMapCache cache, int[] rows, int[] labels,
        HeadTrainingOptions options)
    {
        double lossSum = 0;
        int correct = 0, counted = 0;
        for (int start = 0; start < rows.Length; start += InferenceBatch)
        {
            int batch = Math.Min(InferenceBatch, rows.Length - start);
            if (options.Loss == HeadLoss.Contrastive && batch < 2) break;
            var features = stage.Forward(cache.Read(rows.AsSpan(start, batch)), training: false);
            var output = head.Network.Forward(head.Standardise(features, batch), batch, training: false);
            var y = labels.AsSpan(start, batch).ToArray();
            lossSum += HeadTrainer.LossOf(output, y, head.Network.Outputs, head.Classes.Count, options).Loss * batch;
            counted += batch;
            if (options.Loss == HeadLoss.Softmax) correct += HeadTrainer.CountCorrect(output, y, head.Classes.Count);
        }
        return (lossSum / Math.Max(1, counted), options.Loss == HeadLoss.Softmax ? (double)correct / Math.Max(1, counted) : double.NaN);
    }

    /// <summary>Image n of the batch is example <paramref name="examples"/>[n] in one of its versions, drawn uniformly: its own maps or a copy's.</summary>
    private static void ReadVersions(StageMapCache cache, IReadOnlyList<StageCopies> copies, int[][] copyRows, ReadOnlySpan<int> examples,
        int[] ownRows, FeatureMaps maps, Random random)
    {
        for (int n = 0; n < examples.Length; n++)
        {
            int version = random.Next(copies.Count + 1);
            int copyRow = version == 0 ? -1 : copyRows[version - 1][examples[n]];
            if (copyRow >= 0) copies[version - 1].Cache.ReadInto(copyRow, maps, n);
            else cache.ReadInto(ownRows[n], maps, n);
        }
    }

    /// <summary>The examples of the head's classes: their cache rows, class indexes and places in <paramref name="examples"/>.</summary>
    private static (int[] Rows, int[] Labels, int[] Kept) Known(StageExamples examples, Dictionary<string, int> index)
    {
        var kept = Enumerable.Range(0, examples.Count).Where(i => index.ContainsKey(examples.Labels[i])).ToList();
        if (kept.Count == 0) throw new LookalikeException($"'{examples.Source}' has no images of the training classes.");
        return ([.. kept.Select(i => examples.Rows[i])], [.. kept.Select(i => index[examples.Labels[i]])], [.. kept]);
    }
}
