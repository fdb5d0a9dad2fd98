using System.Diagnostics;
using Lookalike.Evaluation.Datasets;
using Lookalike.Evaluation.Metrics;
using Lookalike.Features;
using Lookalike.Indexes;
using Lookalike.Progress;

namespace Lookalike.Evaluation;

/// <summary>What to evaluate.</summary>
/// <param name="IndexSpecs">Index specs, each built over the database.</param>
/// <param name="Metric">Distance metric.</param>
/// <param name="K">Cut-off of mAP@k and of the mean distance/similarity.</param>
/// <param name="Indexes">The index types the specs may name (the core library's when null).</param>
public sealed record EvaluationOptions(IReadOnlyList<string> IndexSpecs, DistanceMetric Metric, int K = 10, IndexRegistry? Indexes = null);

/// <summary>
/// Runs labelled queries against a database through each index and measures retrieval quality
/// against the labels and against the exact scan, plus the work and time each index needs. A
/// database row is relevant to a query when both have the same (non-null) label.
/// </summary>
public static class Evaluator
{
    private const int PrecisionDepth = 50;

    /// <summary>Evaluates every index of <paramref name="options"/>; <paramref name="distractors"/> counts trailing unlabelled rows.</summary>
    public static EvaluationReport Run(LabeledVectors database, LabeledVectors queries, EvaluationOptions options, int distractors = 0,
        IProgress<ProgressUpdate>? progress = null)
    {
        if (database.Dimension != queries.Dimension)
            throw new Errors.LookalikeException($"The database has {database.Dimension}-d vectors but the queries {queries.Dimension}-d; use the same model for both.");
        if (options.K < 1) throw new Errors.LookalikeException($"k must be at least 1 (was {options.K}).");
        int depth = Math.Max(options.K, PrecisionDepth);
        var classSizes = database.Labels.Where(l => l is not null).GroupBy(l => l!).ToDictionary(g => g.Key, g => g.Count());
        var ids = Enumerable.Range(0, database.Count).Select(i => (long)i).ToArray();

        progress?.Report(new ProgressUpdate("Exact ground truth", 0, queries.Count));
        var (exactIds, fullAp) = GroundTruth(database, queries, options.Metric, depth, classSizes, ids);
        var registry = options.Indexes ?? IndexRegistry.Builtin;
        // Settings that differ only in search-time parameters (nprobe, probes, efSearch) share one build.
        var splits = options.IndexSpecs.Select(registry.SplitSearchTime).ToList();
        var results = new IndexEvaluation?[options.IndexSpecs.Count];
        foreach (var group in Enumerable.Range(0, splits.Count).GroupBy(i => splits[i].BuildKey))
        {
            var clock = Stopwatch.StartNew();
            using var index = registry.Create(database.Dimension, options.IndexSpecs[group.First()], options.Metric);
            if (!index.IsTrained) index.Train(database.Vectors);
            index.Add(database.Vectors, ids);
            double build = clock.Elapsed.TotalSeconds;
            foreach (int i in group)
            {
                var parameters = i == group.First() ? null : splits[i].Parameters;
                string spec = i == group.First() ? index.Spec : NormalizedSpec(registry, database.Dimension, options.IndexSpecs[i], options.Metric);
                results[i] = Measure(index, spec, parameters, build, database, queries, options, depth, classSizes, exactIds, fullAp, progress);
            }
        }
        return new EvaluationReport(database.Source, queries.Source, database.Count - distractors, distractors, queries.Count, database.Dimension,
            options.Metric.Name(), options.K, [.. results.Select(r => r!)]);
    }

    private static string NormalizedSpec(IndexRegistry registry, int dimension, string spec, DistanceMetric metric)
    {
        using var shape = registry.Create(dimension, spec, metric);
        return shape.Spec;
    }

    /// <summary>Searches every query one at a time on one thread (latencies, q/s), then all at once on all cores (q/s), and scores the results.</summary>
    private static IndexEvaluation Measure(IVectorIndex index, string spec, SearchParameters? parameters, double build, LabeledVectors database,
        LabeledVectors queries, EvaluationOptions options, int depth, Dictionary<string, int> classSizes, long[] exactIds, double[] fullAp,
        IProgress<ProgressUpdate>? progress)
    {
        bool exact = index is Flat;
        var found = new long[queries.Count * depth];
        var distances = new float[queries.Count * depth];
        var latencies = new double[queries.Count];
        var stats = new SearchStats[queries.Count];
        var oneThread = (parameters ?? new SearchParameters()).WithThreads(1);
        for (int q = 0; q < queries.Count; q++)
        {
            var timer = Stopwatch.StartNew();
            stats[q] = index.Search(queries.Row(q), depth, distances.AsSpan(q * depth, depth), found.AsSpan(q * depth, depth), oneThread);
            latencies[q] = timer.Elapsed.TotalMilliseconds;
            progress?.Report(new ProgressUpdate($"Searching {spec}", q + 1, queries.Count));
        }
        var batch = Stopwatch.StartNew();
        index.Search(queries.Vectors, depth, new float[queries.Count * depth], new long[queries.Count * depth], parameters);
        double allCores = queries.Count / Math.Max(batch.Elapsed.TotalSeconds, 1e-9);
        var perQuery = Enumerable.Range(0, queries.Count).Select(q => Measure(q, database, queries, options, depth, classSizes,
            found.AsSpan(q * depth, depth), distances.AsSpan(q * depth, depth), exactIds.AsSpan(q * depth, depth),
            exact ? fullAp[q] : null, stats[q])).ToList();
        var perClass = Enumerable.Range(0, queries.Count).GroupBy(q => queries.Labels[q] ?? "(none)")
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => Aggregate(g.Select(q => perQuery[q]).ToList(), exact));
        return new IndexEvaluation(spec, build, RetrievalMetrics.Percentile(latencies, 0.5), RetrievalMetrics.Percentile(latencies, 0.95),
            stats.Average(s => (double)s.CandidatesVisited) / database.Count, Aggregate(perQuery, exact), perClass,
            queries.Count / Math.Max(latencies.Sum() / 1000, 1e-9), allCores);
    }

    private sealed record QueryMeasures(double ApAtK, double? ApFull, bool HasRelevant, double P10, double P50, bool Top1, bool Top5,
        bool Top10, double Recall10, double MeanDistance, double MeanSimilarity, long Visited, long Computed);

    private static QueryMeasures Measure(int q, LabeledVectors database, LabeledVectors queries, EvaluationOptions options, int depth,
        Dictionary<string, int> classSizes, ReadOnlySpan<long> found, ReadOnlySpan<float> distances, ReadOnlySpan<long> exact,
        double? fullAp, SearchStats stats)
    {
        string? label = queries.Labels[q];
        int relevantTotal = label is null ? 0 : classSizes.GetValueOrDefault(label);
        var relevant = new bool[depth];
        for (int i = 0; i < depth; i++) relevant[i] = found[i] >= 0 && label is not null && database.Labels[found[i]] == label;
        double distanceSum = 0, similaritySum = 0;
        int returned = 0;
        for (int i = 0; i < options.K && found[i] >= 0; i++, returned++)
        {
            distanceSum += distances[i];
            similaritySum += Similarity.Of(options.Metric, distances[i], queries.Row(q), database.Row((int)found[i]));
        }
        return new QueryMeasures(RetrievalMetrics.AveragePrecision(relevant, relevantTotal, options.K), fullAp, relevantTotal > 0,
            RetrievalMetrics.PrecisionAt(relevant, 10), RetrievalMetrics.PrecisionAt(relevant, 50),
            RetrievalMetrics.HitAt(relevant, 1), RetrievalMetrics.HitAt(relevant, 5), RetrievalMetrics.HitAt(relevant, 10),
            RetrievalMetrics.RecallAt(found, exact, 10), returned == 0 ? double.NaN : distanceSum / returned,
            returned == 0 ? double.NaN : similaritySum / returned, stats.CandidatesVisited, stats.DistancesComputed);
    }

    private static MetricSet Aggregate(List<QueryMeasures> measures, bool exact)
    {
        var withRelevant = measures.Where(m => m.HasRelevant).ToList();
        double Mean(Func<QueryMeasures, double> f) => measures.Count == 0 ? double.NaN : measures.Average(f);
        double MeanDefined(Func<QueryMeasures, double> f) =>
            measures.Select(f).Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Average();
        return new MetricSet(measures.Count, measures.Count - withRelevant.Count,
            withRelevant.Count == 0 ? double.NaN : withRelevant.Average(m => m.ApAtK),
            exact && withRelevant.Count > 0 ? withRelevant.Average(m => m.ApFull!.Value) : null,
            Mean(m => m.P10), Mean(m => m.P50), Mean(m => m.Top1 ? 1 : 0), Mean(m => m.Top5 ? 1 : 0), Mean(m => m.Top10 ? 1 : 0),
            MeanDefined(m => m.Recall10), MeanDefined(m => m.MeanDistance), MeanDefined(m => m.MeanSimilarity),
            Mean(m => m.Visited), Mean(m => m.Computed));
    }

    /// <summary>Exact top-depth ids per query, and each query's AP over the full exact ranking.</summary>
    private static (long[] Ids, double[] FullAp) GroundTruth(LabeledVectors database, LabeledVectors queries, DistanceMetric metric,
        int depth, Dictionary<string, int> classSizes, long[] ids)
    {
        var store = new VectorStore(database.Dimension, metric);
        store.Add(database.Vectors, ids);
        var exactIds = new long[queries.Count * depth];
        var fullAp = new double[queries.Count];
        Parallel.For(0, queries.Count, q =>
        {
            var prepared = store.PrepareQuery(queries.Row(q));
            var keys = new float[database.Count];
            var rows = new int[database.Count];
            for (int i = 0; i < database.Count; i++)
            {
                keys[i] = store.RankingDistance(prepared, i);
                rows[i] = i;
            }
            // Ties by row (= id) order, as every index breaks them.
            Array.Sort(keys, rows);
            SortTiesById(keys, rows);
            for (int i = 0; i < depth; i++) exactIds[(q * depth) + i] = i < rows.Length ? rows[i] : -1;
            string? label = queries.Labels[q];
            var relevant = rows.Select(r => label is not null && database.Labels[r] == label).ToArray();
            fullAp[q] = RetrievalMetrics.AveragePrecision(relevant, label is null ? 0 : classSizes.GetValueOrDefault(label), database.Count);
        });
        return (exactIds, fullAp);
    }

    private static void SortTiesById(float[] keys, int[] rows)
    {
        for (int start = 0; start < keys.Length;)
        {
            int end = start + 1;
            while (end < keys.Length && keys[end] == keys[start]) end++;
            if (end - start > 1) Array.Sort(rows, start, end - start);
            start = end;
        }
    }
}
