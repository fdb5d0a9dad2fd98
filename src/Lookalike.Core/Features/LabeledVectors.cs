using Lookalike.Errors;

namespace Lookalike.Features;

/// <summary>
/// A set of feature vectors (row-major n×d) with a class label per row (null = unlabelled, e.g. a
/// distractor, never relevant to any query) and a name per row (file path or index).
/// </summary>
public sealed record LabeledVectors(string Source, int Dimension, float[] Vectors, string?[] Labels, string[] Names)
{
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
}
