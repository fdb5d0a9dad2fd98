using Lookalike.Evaluation.Datasets;
using Lookalike.Evaluation.Metrics;
using Lookalike.Features;
using Lookalike.Indexes;
using Lookalike.Progress;

namespace Lookalike.Evaluation.Statistics;

/// <summary>Summary of a sample of values.</summary>
public sealed record ValueSummary(int Count, double Mean, double Median, double P5, double P25, double P75, double P95, double Min, double Max)
{
    /// <summary>Summarises <paramref name="values"/> (empty gives NaNs).</summary>
    public static ValueSummary Of(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return new ValueSummary(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        var sorted = values.Order().ToArray();
        double P(double p) => RetrievalMetrics.Percentile(sorted, p);
        return new ValueSummary(sorted.Length, sorted.Average(), P(0.5), P(0.05), P(0.25), P(0.75), P(0.95), sorted[0], sorted[^1]);
    }
}

/// <summary>Euclidean distance and cosine similarity over one kind of pair.</summary>
/// <param name="Euclidean">Euclidean distances.</param>
/// <param name="Cosine">Cosine similarities.</param>
public sealed record PairSummary(ValueSummary Euclidean, ValueSummary Cosine);

/// <summary>The distance statistics of a set of features.</summary>
/// <param name="Source">Where the vectors came from.</param>
/// <param name="Count">Vectors.</param>
/// <param name="Dimension">Dimension.</param>
/// <param name="MeanNorm">Mean Euclidean norm of the vectors.</param>
/// <param name="RandomPairs">Between random pairs of distinct vectors.</param>
/// <param name="SameClassPairs">Between random pairs of the same class, per class.</param>
/// <param name="Neighbours">Between sampled vectors and each of their 10 nearest neighbours (by that measure).</param>
public sealed record DistanceStatisticsReport(string Source, int Count, int Dimension, double MeanNorm, PairSummary RandomPairs,
    IReadOnlyDictionary<string, PairSummary> SameClassPairs, PairSummary Neighbours)
{
    /// <summary>The raw samples behind the summaries, for histograms (not serialised).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyDictionary<string, IReadOnlyList<double>> Samples { get; init; } = new Dictionary<string, IReadOnlyList<double>>();
}

/// <summary>
/// Distances between random pairs, within classes and to the nearest neighbours: the scale an
/// LSH bucket width must match (the study reports a mean Euclidean distance of 3.0 for ResNet50).
/// </summary>
public static class DistanceStatistics
{
    /// <summary>Neighbours per sampled vector.</summary>
    public const int Neighbours = 10;

    /// <summary>Measures <paramref name="data"/> from seeded samples.</summary>
    public static DistanceStatisticsReport Measure(LabeledVectors data, int pairs = 20_000, int neighbourSamples = 200, int seed = 42,
        IProgress<ProgressUpdate>? progress = null)
    {
        if (data.Count < 2) throw new Errors.LookalikeException($"'{data.Source}' has {data.Count} vector(s); statistics need at least 2.");
        var random = new Random(seed);
        double meanNorm = Enumerable.Range(0, data.Count).Average(i => (double)System.Numerics.Tensors.TensorPrimitives.Norm(data.Row(i)));
        progress?.Report(new ProgressUpdate("Random pairs", 0, 3));
        var (randomL2, randomCos) = PairDistances(data, Enumerable.Range(0, pairs).Select(_ => RandomPair(random, data.Count)));

        progress?.Report(new ProgressUpdate("Same-class pairs", 1, 3));
        var byClass = Enumerable.Range(0, data.Count).Where(i => data.Labels[i] is not null).GroupBy(i => data.Labels[i]!)
            .OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        var sameClass = new Dictionary<string, PairSummary>();
        int perClass = byClass.Count == 0 ? 0 : Math.Max(100, pairs / byClass.Count);
        foreach (var group in byClass)
        {
            var rows = group.ToArray();
            if (rows.Length < 2) continue;
            var (l2, cos) = PairDistances(data, Enumerable.Range(0, perClass).Select(_ =>
            {
                var (a, b) = RandomPair(random, rows.Length);
                return (rows[a], rows[b]);
            }));
            sameClass[group.Key] = new PairSummary(ValueSummary.Of(l2), ValueSummary.Of(cos));
        }

        progress?.Report(new ProgressUpdate("Nearest neighbours", 2, 3));
        var sample = Enumerable.Range(0, Math.Min(neighbourSamples, data.Count)).Select(_ => random.Next(data.Count)).ToArray();
        var neighbourL2 = NeighbourValues(data, sample, DistanceMetric.L2, d => d);
        var neighbourCos = NeighbourValues(data, sample, DistanceMetric.Cosine, d => 1 - d);
        progress?.Report(new ProgressUpdate("Nearest neighbours", 3, 3));
        return new DistanceStatisticsReport(data.Source, data.Count, data.Dimension, meanNorm,
            new PairSummary(ValueSummary.Of(randomL2), ValueSummary.Of(randomCos)), sameClass,
            new PairSummary(ValueSummary.Of(neighbourL2), ValueSummary.Of(neighbourCos)))
        {
            Samples = new Dictionary<string, IReadOnlyList<double>>
            {
                ["euclidean-random-pairs"] = randomL2,
                ["cosine-random-pairs"] = randomCos,
                ["euclidean-10-nearest"] = neighbourL2,
                ["cosine-10-nearest"] = neighbourCos,
            },
        };
    }

    private static (int, int) RandomPair(Random random, int count)
    {
        int a = random.Next(count), b = random.Next(count - 1);
        return (a, b >= a ? b + 1 : b);
    }

    private static (List<double> L2, List<double> Cosine) PairDistances(LabeledVectors data, IEnumerable<(int A, int B)> pairs)
    {
        var l2 = new List<double>();
        var cos = new List<double>();
        foreach (var (a, b) in pairs)
        {
            l2.Add(Distances.Compute(DistanceMetric.L2, data.Row(a), data.Row(b)));
            cos.Add(Distances.CosineSimilarity(data.Row(a), data.Row(b)));
        }
        return (l2, cos);
    }

    private static List<double> NeighbourValues(LabeledVectors data, int[] sample, DistanceMetric metric, Func<float, double> value)
    {
        using var index = new Flat(data.Dimension, metric);
        index.Add(data.Vectors, [.. Enumerable.Range(0, data.Count).Select(i => (long)i)]);
        const int depth = Neighbours + 1;
        var queries = new float[sample.Length * data.Dimension];
        for (int i = 0; i < sample.Length; i++) data.Row(sample[i]).CopyTo(queries.AsSpan(i * data.Dimension, data.Dimension));
        var distances = new float[sample.Length * depth];
        var ids = new long[sample.Length * depth];
        index.Search(queries, depth, distances, ids);
        var values = new List<double>();
        for (int q = 0; q < sample.Length; q++)
        {
            for (int i = q * depth, taken = 0; i < (q + 1) * depth && taken < Neighbours; i++)
            {
                if (ids[i] == sample[q] || ids[i] < 0) continue;
                values.Add(value(distances[i]));
                taken++;
            }
        }
        return values;
    }
}
