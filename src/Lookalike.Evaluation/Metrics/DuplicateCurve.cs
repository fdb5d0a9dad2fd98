using Lookalike.Duplicates;
using Lookalike.Indexes;

namespace Lookalike.Evaluation.Metrics;

/// <summary>Pairs of a labelled set found at one threshold.</summary>
/// <param name="Threshold">Cosine similarity a pair must reach.</param>
/// <param name="TruePairs">Pairs of images with one source (true duplicates), found or not.</param>
/// <param name="TruePairsFound">True pairs at or above the threshold.</param>
/// <param name="FalsePairsFound">Pairs of different sources at or above the threshold.</param>
public sealed record DuplicatePairCount(float Threshold, long TruePairs, long TruePairsFound, long FalsePairsFound)
{
    /// <summary>True pairs found / true pairs.</summary>
    public double Recall => TruePairs == 0 ? 1 : (double)TruePairsFound / TruePairs;

    /// <summary>True pairs found / pairs found.</summary>
    public double Precision => TruePairsFound + FalsePairsFound == 0 ? 1 : (double)TruePairsFound / (TruePairsFound + FalsePairsFound);
}

/// <summary>How well a duplicate report's groups match the planted ones.</summary>
/// <param name="Found">Near-duplicate groups reported.</param>
/// <param name="Pure">Reported groups whose members all share one source.</param>
/// <param name="Planted">Planted groups (sources with two or more images).</param>
/// <param name="Recovered">Planted groups reported exactly (every member, nothing else).</param>
public sealed record DuplicateGroupScore(int Found, int Pure, int Planted, int Recovered)
{
    /// <summary>Pure / found.</summary>
    public double Precision => Found == 0 ? 1 : (double)Pure / Found;

    /// <summary>Recovered / planted.</summary>
    public double Recall => Planted == 0 ? 1 : (double)Recovered / Planted;
}

/// <summary>Measures a near-duplicate threshold on images whose true duplicates are known (see <see cref="Datasets.PlantedDuplicates"/>).</summary>
public static class DuplicateCurve
{
    /// <summary>
    /// For each threshold, the true and false pairs at or above it, from the exact cosine similarity of every pair of
    /// rows of <paramref name="vectors"/> (n×d). <paramref name="sources"/> gives row i's source: rows with one source are
    /// true duplicates; null rows are distinct from every other.
    /// </summary>
    public static IReadOnlyList<DuplicatePairCount> Pairs(ReadOnlySpan<float> vectors, IReadOnlyList<string?> sources, IReadOnlyList<float> thresholds)
    {
        int n = sources.Count, d = vectors.Length / Math.Max(1, n);
        var norms = new float[n];
        for (int i = 0; i < n; i++) norms[i] = MathF.Sqrt(VectorKernels.Dot(vectors.Slice(i * d, d), vectors.Slice(i * d, d)));
        var sorted = thresholds.Order().ToArray();
        var truePairs = new long[sorted.Length];
        var falsePairs = new long[sorted.Length];
        long allTrue = 0;
        for (int i = 0; i < n; i++)
        {
            var x = vectors.Slice(i * d, d);
            for (int j = i + 1; j < n; j++)
            {
                bool same = sources[i] is { } s && s == sources[j];
                if (same) allTrue++;
                float similarity = VectorKernels.Dot(x, vectors.Slice(j * d, d)) / Math.Max(norms[i] * norms[j], float.Epsilon);
                var counts = same ? truePairs : falsePairs;
                for (int t = 0; t < sorted.Length && similarity >= sorted[t]; t++) counts[t]++;
            }
        }
        return [.. sorted.Select((t, i) => new DuplicatePairCount(t, allTrue, truePairs[i], falsePairs[i]))];
    }

    /// <summary>Scores the near-duplicate groups of <paramref name="report"/> against the sources <paramref name="sourceOf"/> gives each path (null: distinct).</summary>
    public static DuplicateGroupScore Score(DuplicateReport report, IReadOnlyDictionary<string, string?> sourceOf)
    {
        var planted = sourceOf.Where(p => p.Value is not null).GroupBy(p => p.Value!)
            .Where(g => g.Count() > 1).Select(g => g.Select(p => p.Key).Order(StringComparer.Ordinal).ToArray()).ToList();
        var near = report.Groups.Where(g => g.Kind == DuplicateKind.Near)
            .Select(g => g.Members.Select(m => m.Path).Order(StringComparer.Ordinal).ToArray()).ToList();
        int pure = near.Count(g => g.Select(p => sourceOf.GetValueOrDefault(p)).Distinct().Count() == 1 && sourceOf.GetValueOrDefault(g[0]) is not null);
        int recovered = planted.Count(p => near.Any(g => g.SequenceEqual(p)));
        return new DuplicateGroupScore(near.Count, pure, planted.Count, recovered);
    }
}
