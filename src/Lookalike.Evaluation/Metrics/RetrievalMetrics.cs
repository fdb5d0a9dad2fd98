namespace Lookalike.Evaluation.Metrics;

/// <summary>
/// Per-query retrieval measures over a ranked list of relevance flags (rel_i = result i has the
/// query's class). See docs/evaluation.md for the definitions.
/// </summary>
public static class RetrievalMetrics
{
    /// <summary>
    /// AP@k = (1 / min(R, k)) · Σ_{i ≤ k} P@i · rel_i, with R the number of relevant items in the
    /// database; with k = |database| it is the AP of the full ranking. NaN when R = 0 (no relevant
    /// item exists, so the query is left out of mAP).
    /// </summary>
    public static double AveragePrecision(ReadOnlySpan<bool> relevant, int totalRelevant, int k)
    {
        if (totalRelevant <= 0) return double.NaN;
        int hits = 0;
        double sum = 0;
        for (int i = 0; i < Math.Min(k, relevant.Length); i++)
        {
            if (!relevant[i]) continue;
            hits++;
            sum += hits / (double)(i + 1);
        }
        return sum / Math.Min(totalRelevant, k);
    }

    /// <summary>P@n: relevant results among the first n, divided by n (missing results count as not relevant).</summary>
    public static double PrecisionAt(ReadOnlySpan<bool> relevant, int n)
    {
        int hits = 0;
        for (int i = 0; i < Math.Min(n, relevant.Length); i++) if (relevant[i]) hits++;
        return hits / (double)n;
    }

    /// <summary>Top-n accuracy for one query: whether any of the first n results is relevant.</summary>
    public static bool HitAt(ReadOnlySpan<bool> relevant, int n)
    {
        for (int i = 0; i < Math.Min(n, relevant.Length); i++) if (relevant[i]) return true;
        return false;
    }

    /// <summary>
    /// |first n found ∩ first n exact| / |first n exact|: missing results (ids below 0) count as
    /// misses; the exact list is shorter than n only when the database is.
    /// </summary>
    public static double RecallAt(ReadOnlySpan<long> found, ReadOnlySpan<long> exact, int n)
    {
        var truth = new HashSet<long>();
        for (int i = 0; i < Math.Min(n, exact.Length); i++) if (exact[i] >= 0) truth.Add(exact[i]);
        if (truth.Count == 0) return double.NaN;
        int expected = truth.Count, hits = 0;
        for (int i = 0; i < Math.Min(n, found.Length); i++) if (found[i] >= 0 && truth.Remove(found[i])) hits++;
        return hits / (double)expected;
    }

    /// <summary>The q-quantile (0..1) of <paramref name="values"/> by nearest rank.</summary>
    public static double Percentile(IReadOnlyList<double> values, double q)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        int rank = (int)Math.Ceiling(q * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
