using Lookalike.Errors;

namespace Lookalike.Features;

/// <summary>
/// A set of feature vectors (row-major n×d) with a class label per row (null = unlabelled, e.g. a
/// distractor, never relevant to any query) and a name per row (file path or index).
/// </summary>
public sealed record LabeledVectors(string Source, int Dimension, float[] Vectors, string?[] Labels, string[] Names)
{
    /// <summary>The model the vectors were extracted with, when known (a collection's, or the extractor's of an image folder).</summary>
    public Collections.ModelReference? Model { get; init; }

    /// <summary>
    /// Rows of an image folder whose file is byte-identical to an earlier row's (each stays a row, with its own folder's label),
    /// with the file it copies: what an evaluation should state, since such a copy is found at distance 0.
    /// </summary>
    public IReadOnlyList<Indexing.MergedDuplicate> IdenticalFiles { get; init; } = [];

    /// <summary>Throws unless <paramref name="other"/> may be compared with these vectors: both of the same model where both are known.</summary>
    /// <exception cref="LookalikeException">when they come from different models.</exception>
    public void EnsureSameModel(LabeledVectors other)
    {
        if (Model is null || other.Model is null || Model.MismatchWith(other.Model) is not { } mismatch) return;
        throw new LookalikeException(
            $"'{Source}' and '{other.Source}' hold features of different models ({mismatch}); featurise both with the same --model.");
    }

    /// <summary>Number of rows.</summary>
    public int Count => Labels.Length;

    /// <summary>Row <paramref name="i"/>.</summary>
    public ReadOnlySpan<float> Row(int i) => Vectors.AsSpan(i * Dimension, Dimension);

    /// <summary>The first <paramref name="count"/> rows of each class, in row order (a fixed, balanced subset).</summary>
    public LabeledVectors TakePerClass(int count)
    {
        var taken = new Dictionary<string, int>();
        var rows = Enumerable.Range(0, Count).Where(i =>
        {
            string label = Labels[i] ?? "";
            taken[label] = taken.GetValueOrDefault(label) + 1;
            return taken[label] <= count;
        }).ToList();
        return Rows(rows, $"{Source} (first {count} per class)");
    }

    /// <summary>These rows followed by <paramref name="other"/>'s, all labels of <paramref name="other"/> dropped when <paramref name="unlabel"/>.</summary>
    public LabeledVectors Concat(LabeledVectors other, bool unlabel)
    {
        if (other.Dimension != Dimension)
            throw new LookalikeException($"'{other.Source}' has {other.Dimension}-d vectors; '{Source}' has {Dimension}-d.");
        return new LabeledVectors($"{Source} + {other.Source}", Dimension, [.. Vectors, .. other.Vectors],
            [.. Labels, .. unlabel ? new string?[other.Count] : other.Labels], [.. Names, .. other.Names]);
    }

    /// <summary>The given rows, in that order, under a new source name.</summary>
    public LabeledVectors Rows(IReadOnlyList<int> rows, string source)
    {
        var vectors = new float[rows.Count * Dimension];
        for (int i = 0; i < rows.Count; i++) Row(rows[i]).CopyTo(vectors.AsSpan(i * Dimension, Dimension));
        return new LabeledVectors(source, Dimension, vectors, rows.Select(r => Labels[r]).ToArray(), rows.Select(r => Names[r]).ToArray());
    }

    /// <summary>A stratified split: every <c>1/share</c>-th row of each class (seeded order) goes to validation.</summary>
    /// <exception cref="LookalikeException">when no row would be held out.</exception>
    public (LabeledVectors Train, LabeledVectors Validation) SplitStratified(double share, int seed)
    {
        var (train, valid) = StratifiedRows(Labels, share, seed);
        if (valid.Count == 0) throw new LookalikeException($"'{Source}' is too small to hold out validation rows; give --val.");
        return (Rows(train, $"{Source} (train split)"), Rows(valid, $"{Source} (validation split)"));
    }

    /// <summary>The rule of <see cref="SplitStratified"/> on labels alone: the rows kept for training and those held out.</summary>
    public static (List<int> Train, List<int> Validation) StratifiedRows(IReadOnlyList<string?> labels, double share, int seed)
    {
        var order = Enumerable.Range(0, labels.Count).ToArray();
        new Random(seed).Shuffle(order);
        var seen = new Dictionary<string, int>();
        var train = new List<int>();
        var valid = new List<int>();
        int every = (int)Math.Round(1 / share);
        foreach (int row in order)
        {
            string label = labels[row] ?? "";
            int n = seen[label] = seen.GetValueOrDefault(label) + 1;
            (n % every == 0 ? valid : train).Add(row);
        }
        return (train, valid);
    }
}
