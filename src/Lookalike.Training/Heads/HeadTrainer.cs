using Lookalike.Errors;
using Lookalike.Features;
using Lookalike.Progress;
using Lookalike.Training.Networks;

namespace Lookalike.Training.Heads;

/// <summary>How to train a head.</summary>
/// <param name="Spec">Hidden layers, e.g. <c>dropout(0.5),dense(256,relu),dense(64,relu)</c>.</param>
/// <param name="LearningRate">Adam's learning rate.</param>
/// <param name="Epochs">Most passes over the training set.</param>
/// <param name="Patience">Epochs without a better validation loss before stopping (the best epoch's weights are restored).</param>
/// <param name="BatchSize">Examples per mini-batch.</param>
/// <param name="WeightDecay">Decoupled weight decay.</param>
/// <param name="Loss">Softmax cross-entropy, or supervised contrastive with in-batch negatives.</param>
/// <param name="Temperature">Temperature of the contrastive loss.</param>
/// <param name="EmbeddingLayer">Layer whose activations become retrieval features (null: the last hidden dense layer).</param>
/// <param name="Seed">Seed of initialisation, shuffling and dropout.</param>
public sealed record HeadTrainingOptions(string Spec, double LearningRate = 1e-4, int Epochs = 200, int Patience = 10, int BatchSize = 128,
    double WeightDecay = 1e-4, HeadLoss Loss = HeadLoss.Softmax, double Temperature = 0.1, int? EmbeddingLayer = null, int Seed = 42);

/// <summary>One epoch's measurements.</summary>
public sealed record EpochRecord(int Epoch, double TrainLoss, double ValidationLoss, double TrainAccuracy, double ValidationAccuracy);

/// <summary>The outcome of training.</summary>
/// <param name="Head">The head with the best epoch's weights.</param>
/// <param name="History">Every epoch run.</param>
/// <param name="BestEpoch">The epoch with the lowest validation loss (1-based).</param>
/// <param name="StoppedEarly">Whether patience ran out before the last epoch.</param>
/// <param name="Report">Classification report of the best head on the validation set.</param>
public sealed record HeadTrainingResult(HeadModel Head, IReadOnlyList<EpochRecord> History, int BestEpoch, bool StoppedEarly,
    ClassificationReport Report);

/// <summary>
/// Trains a dense head on frozen CNN features with mini-batch AdamW, dropout, and early stopping on
/// the validation loss that restores the best epoch (Keras's EarlyStopping(restore_best_weights=True)).
/// </summary>
public static class HeadTrainer
{
    /// <summary>Trains on <paramref name="train"/>, stopping on <paramref name="validation"/>; both need labels.</summary>
    public static HeadTrainingResult Train(LabeledVectors train, LabeledVectors validation, HeadTrainingOptions options,
        IProgress<ProgressUpdate>? progress = null)
    {
        if (train.Dimension != validation.Dimension)
            throw new LookalikeException($"Training features are {train.Dimension}-d but validation features {validation.Dimension}-d.");
        if (options.Epochs < 1 || options.Patience < 1 || options.BatchSize < 2 || !(options.LearningRate > 0))
            throw new LookalikeException("Epochs and patience must be at least 1, the batch size at least 2, the learning rate positive.");
        var classes = train.Labels.Where(l => l is not null).Select(l => l!).Distinct().Order(StringComparer.Ordinal).ToList();
        if (classes.Count < 2) throw new LookalikeException($"'{train.Source}' needs at least two labelled classes to train a head.");
        var (trainX, trainY) = Labelled(train, classes);
        var (validX, validY) = Labelled(validation, classes);
        if (validY.Length == 0) throw new LookalikeException($"'{validation.Source}' has no rows of the training classes.");

        var random = new Random(options.Seed);
        var layers = HeadSpec.Build(options.Spec, train.Dimension, random);
        if (options.Loss == HeadLoss.Softmax)
            layers.Add(new DenseLayer(layers[^1].Outputs, classes.Count, Activation.None, random, "output"));
        var network = new Network(layers);
        int embedding = options.EmbeddingLayer ?? network.LastDenseLayer(below: options.Loss == HeadLoss.Softmax ? network.Layers.Count - 1 : null);
        if (embedding < 0 || embedding >= network.Layers.Count)
            throw new LookalikeException($"--embedding-layer must be 0..{network.Layers.Count - 1} (was {embedding}).");
        var scaling = FeatureScaling.Fit(trainX, train.Dimension);
        var head = new HeadModel(network, scaling, classes, embedding, options.Loss, options.Spec, null);
        var trainInput = head.Standardise(trainX, trainY.Length);
        var validInput = head.Standardise(validX, validY.Length);

        var optimizer = new AdamW(network.Parameters, options.LearningRate, options.WeightDecay);
        var history = new List<EpochRecord>();
        double bestLoss = double.PositiveInfinity;
        int bestEpoch = 0;
        float[][] best = network.Snapshot();
        var order = Enumerable.Range(0, trainY.Length).ToArray();
        bool stoppedEarly = false;
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            random.Shuffle(order);
            double lossSum = 0;
            int correct = 0;
            for (int start = 0; start < order.Length; start += options.BatchSize)
            {
                int batch = Math.Min(options.BatchSize, order.Length - start);
                if (batch < 2) continue;
                var (x, y) = Gather(trainInput, trainY, order.AsSpan(start, batch), train.Dimension);
                network.ZeroGradients();
                var output = network.Forward(x, batch, training: true);
                var (loss, gradient) = LossOf(output, y, network.Outputs, classes.Count, options);
                network.Backward(gradient, batch);
                optimizer.Step();
                lossSum += loss * batch;
                if (options.Loss == HeadLoss.Softmax) correct += CountCorrect(output, y, classes.Count);
            }
            var (validLoss, validAccuracy, trainAccuracy) = Validate(head, network, validInput, validY, trainInput, trainY, correct, options);
            history.Add(new EpochRecord(epoch, lossSum / order.Length, validLoss, trainAccuracy, validAccuracy));
            progress?.Report(new ProgressUpdate("Training", epoch, options.Epochs,
                FormattableString.Invariant($"loss {lossSum / order.Length:F4}, val loss {validLoss:F4}, val acc {validAccuracy:F3}")));
            if (validLoss < bestLoss - 1e-6)
            {
                (bestLoss, bestEpoch, best) = (validLoss, epoch, network.Snapshot());
            }
            else if (epoch - bestEpoch >= options.Patience)
            {
                stoppedEarly = epoch < options.Epochs;
                break;
            }
        }
        network.Restore(best);
        if (options.Loss == HeadLoss.Contrastive) head.Centroids = ClassCentroids(head, trainX, trainY, classes.Count);
        var predicted = head.Predict(validX, validY.Length);
        return new HeadTrainingResult(head, history, bestEpoch, stoppedEarly, ClassificationReport.Compute(predicted, validY, classes));
    }

    internal static (double Loss, float[] Gradient) LossOf(float[] output, int[] labels, int width, int classes, HeadTrainingOptions options) =>
        options.Loss == HeadLoss.Softmax
            ? Losses.SoftmaxCrossEntropy(output, labels, classes)
            : Losses.SupervisedContrastive(output, labels, width, options.Temperature);

    private static (double Loss, double Accuracy, double TrainAccuracy) Validate(HeadModel head, Network network, float[] validInput, int[] validY,
        float[] trainInput, int[] trainY, int trainCorrect, HeadTrainingOptions options)
    {
        const int chunk = 1024;
        double lossSum = 0;
        int correct = 0, counted = 0;
        for (int start = 0; start < validY.Length; start += chunk)
        {
            int batch = Math.Min(chunk, validY.Length - start);
            if (options.Loss == HeadLoss.Contrastive && batch < 2) break;
            var x = validInput.AsSpan(start * network.Inputs, batch * network.Inputs).ToArray();
            var y = validY.AsSpan(start, batch).ToArray();
            var output = network.Forward(x, batch, training: false);
            lossSum += LossOf(output, y, network.Outputs, head.Classes.Count, options).Loss * batch;
            counted += batch;
            if (options.Loss == HeadLoss.Softmax) correct += CountCorrect(output, y, head.Classes.Count);
        }
        double trainAccuracy = options.Loss == HeadLoss.Softmax ? (double)trainCorrect / trainY.Length : double.NaN;
        double accuracy = options.Loss == HeadLoss.Softmax ? (double)correct / Math.Max(1, counted) : double.NaN;
        return (lossSum / Math.Max(1, counted), accuracy, trainAccuracy);
    }

    internal static int CountCorrect(float[] logits, int[] labels, int classes)
    {
        int correct = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            if (System.Numerics.Tensors.TensorPrimitives.IndexOfMax(logits.AsSpan(i * classes, classes)) == labels[i]) correct++;
        }
        return correct;
    }

    internal static float[] ClassCentroids(HeadModel head, float[] x, int[] y, int classes)
    {
        var embedded = head.Embed(x, y.Length);
        int width = head.EmbeddingWidth;
        var centroids = new float[classes * width];
        for (int i = 0; i < y.Length; i++)
            System.Numerics.Tensors.TensorPrimitives.Add(centroids.AsSpan(y[i] * width, width), embedded.AsSpan(i * width, width), centroids.AsSpan(y[i] * width, width));
        for (int c = 0; c < classes; c++) Indexes.Distances.Normalize(centroids.AsSpan(c * width, width));
        return centroids;
    }

    internal static (float[] X, int[] Y) Labelled(LabeledVectors data, IReadOnlyList<string> classes)
    {
        var index = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
        var rows = Enumerable.Range(0, data.Count).Where(i => data.Labels[i] is { } l && index.ContainsKey(l)).ToList();
        var x = new float[rows.Count * data.Dimension];
        for (int i = 0; i < rows.Count; i++) data.Row(rows[i]).CopyTo(x.AsSpan(i * data.Dimension, data.Dimension));
        return (x, [.. rows.Select(r => index[data.Labels[r]!])]);
    }

    private static (float[] X, int[] Y) Gather(float[] input, int[] labels, ReadOnlySpan<int> rows, int d)
    {
        var x = new float[rows.Length * d];
        var y = new int[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            input.AsSpan(rows[i] * d, d).CopyTo(x.AsSpan(i * d, d));
            y[i] = labels[rows[i]];
        }
        return (x, y);
    }
}
