using System.Globalization;
using Lookalike.Errors;
using Lookalike.Evaluation.Datasets;
using Lookalike.Features;
using Lookalike.Indexes;
using Lookalike.Progress;

namespace Lookalike.Evaluation.Tuning;

/// <summary>How to tune.</summary>
/// <param name="TargetRecall">Recall@10 against the exact scan to reach (0..1).</param>
/// <param name="Metric">Distance metric of the searches.</param>
/// <param name="SampleQueries">Rows held out as tuning queries (the same number again are held out to check the choice).</param>
/// <param name="Seed">Seed of the hold-out draw and of the projections.</param>
/// <param name="Family">"e2lsh" (E2Lsh widths, with and without multi-probe) or "lsh" (E2Lsh, centred HyperplaneLsh and CrossPolytopeLsh, probes, candidate budgets and collision counting).</param>
/// <param name="MaxVisitedPercent">Settings visiting more than this share of the database are not chosen (null: no limit).</param>
public sealed record TuneOptions(double TargetRecall, DistanceMetric Metric, int SampleQueries = 200, int Seed = 42, string Family = TuneOptions.E2LshFamily,
    double? MaxVisitedPercent = null)
{
    /// <summary>The E2Lsh-only family (the default).</summary>
    public const string E2LshFamily = "e2lsh";

    /// <summary>Every hashing index.</summary>
    public const string LshFamily = "lsh";
}

/// <summary>One candidate: the narrowest width reaching the target for a (tables, projections, probes) triple.</summary>
/// <param name="Spec">The setting.</param>
/// <param name="Recall">Recall@10 on the tuning queries.</param>
/// <param name="VisitedPercent">Candidates visited per query as a percentage of the database.</param>
public sealed record TuneCandidate(string Spec, double Recall, double VisitedPercent);

/// <summary>What the tuner chose and how it measured.</summary>
/// <param name="Spec">The chosen setting, or null when nothing reached the target.</param>
/// <param name="TuningRecall">Its recall@10 on the tuning queries.</param>
/// <param name="CheckRecall">Its recall@10 on the second held-out sample (not used for choosing).</param>
/// <param name="CheckVisitedPercent">Its visited % on the second sample.</param>
/// <param name="TenthNeighbourDistance">Median distance to the 10th exact neighbour (in the space the index hashes): the scale of w.</param>
/// <param name="Database">Rows searched (the collection minus the held-out queries).</param>
/// <param name="Candidates">The best width found for each (tables, projections, probes), cheapest first.</param>
/// <param name="Evaluations">Settings built and measured.</param>
/// <param name="CheckQueriesPerSecond">Queries per second of the chosen setting on the check sample (one thread), and of the exact scan in the same run.</param>
public sealed record TuneResult(string? Spec, double TuningRecall, double CheckRecall, double CheckVisitedPercent,
    double TenthNeighbourDistance, int Database, IReadOnlyList<TuneCandidate> Candidates, int Evaluations,
    (double Chosen, double Flat) CheckQueriesPerSecond = default);

/// <summary>
/// Picks E2LSH / multi-probe parameters for a data set without labels: the bucket width is scaled
/// to the distance of a query's 10th nearest neighbour (Slaney, Lifshits &amp; He 2012 tune w from the
/// distance distribution), then for each number of tables L, projections k and probes T a
/// bisection finds the narrowest width whose recall@10 on held-out rows reaches the target
/// (FALCONN's recipe: fix L and k, grow the probing until the recall is met). The cheapest
/// candidate (fewest visited candidates) wins; it is then measured on a second held-out sample.
/// </summary>
public static partial class LshTuner
{
    private static readonly int[] TableChoices = [4, 8, 16];
    private static readonly int[] ProjectionChoices = [4, 8, 12];
    private const int Depth = 10, Bisections = 6;
    private const double MinScale = 0.05, MaxScale = 16;

    /// <summary>Tunes on <paramref name="data"/>; its labels are ignored.</summary>
    public static TuneResult Tune(LabeledVectors data, TuneOptions options, IProgress<ProgressUpdate>? progress = null)
    {
        if (options.Family is not (TuneOptions.E2LshFamily or TuneOptions.LshFamily))
            throw new LookalikeException($"Unknown tuning family '{options.Family}'; use {TuneOptions.E2LshFamily} or {TuneOptions.LshFamily}.");
        if (options.TargetRecall is <= 0 or > 1) throw new LookalikeException($"The target recall must be in (0, 1] (was {options.TargetRecall}).");
        int q = options.SampleQueries;
        if (q < 10 || data.Count < (2 * q) + (10 * Depth))
            throw new LookalikeException($"Tuning needs at least {(2 * q) + (10 * Depth)} vectors for {q} held-out queries (have {data.Count}).");
        var order = Enumerable.Range(0, data.Count).ToArray();
        new Random(options.Seed).Shuffle(order);
        var tuning = data.Rows(order[..q], "tuning queries");
        var check = data.Rows(order[q..(2 * q)], "check queries");
        var database = data.Rows(order[(2 * q)..].Order().ToArray(), "database");

        using var exact = Build(database, Flat.TypeName, options.Metric);
        var truthTuning = ExactNeighbours(exact, tuning, options.Metric, out double scale);
        var truthCheck = ExactNeighbours(exact, check, options.Metric, out _);
        var candidates = new List<TuneCandidate>();
        bool all = options.Family == TuneOptions.LshFamily;
        int[] tableChoices = all ? FamilyTableChoices : TableChoices, projectionChoices = all ? FamilyProjectionChoices : ProjectionChoices;
        int evaluations = 0, step = 0, steps = (tableChoices.Length * projectionChoices.Length * 2) + (all ? FamilyBuilds(database.Dimension) : 0);
        foreach (int tables in tableChoices)
        {
            foreach (int projections in projectionChoices)
            {
                foreach (int probes in new[] { 0, 2 * tables })
                {
                    progress?.Report(new ProgressUpdate("Tuning", step++, steps, $"E2Lsh L={tables} k={projections} T={probes}"));
                    var found = NarrowestWidth(database, tuning, truthTuning, options, tables, projections, probes, scale);
                    evaluations += found.Evaluations;
                    if (found.Candidate is { } candidate) candidates.Add(candidate);
                }
            }
        }
        if (all) evaluations += AngularFamilies(database, tuning, truthTuning, options, candidates, progress, ref step, steps);
        progress?.Report(new ProgressUpdate("Tuning", steps, steps));
        candidates.Sort((a, b) => a.VisitedPercent.CompareTo(b.VisitedPercent));
        var eligible = candidates.Where(c => options.MaxVisitedPercent is not { } limit || c.VisitedPercent <= limit).ToList();
        if (eligible.Count == 0) return new TuneResult(null, 0, 0, 0, scale, database.Count, candidates, evaluations);
        var chosen = eligible[0];
        var (checkRecall, checkVisited, qps) = MeasureCheck(database, check, truthCheck, options.Metric, chosen.Spec);
        return new TuneResult(chosen.Spec, chosen.Recall, checkRecall, checkVisited * 100, scale, database.Count, candidates, evaluations,
            (qps, QueriesPerSecond(exact, check)));
    }

    private static string Spec(int tables, int projections, double width, int probes, int seed) =>
        string.Create(CultureInfo.InvariantCulture, $"E2Lsh(tables={tables},projections={projections},width={width:G4},probes={probes},seed={seed})");

    /// <summary>
    /// Bisects the width (on a log scale, in units of <paramref name="scale"/>) for the narrowest one whose recall on
    /// <paramref name="queries"/> reaches the target; no candidate when even the widest does not.
    /// </summary>
    private static (TuneCandidate? Candidate, int Evaluations) NarrowestWidth(LabeledVectors database, LabeledVectors queries, long[][] truth,
        TuneOptions options, int tables, int projections, int probes, double scale)
    {
        string SpecAt(double factor) => Spec(tables, projections, factor * scale, probes, options.Seed);
        double low = MinScale, high = MaxScale;
        var best = MeasureSpec(database, queries, truth, options.Metric, SpecAt(high));
        if (best.Recall < options.TargetRecall) return (null, 1);
        for (int i = 0; i < Bisections; i++)
        {
            double mid = Math.Sqrt(low * high);
            var measured = MeasureSpec(database, queries, truth, options.Metric, SpecAt(mid));
            if (measured.Recall >= options.TargetRecall) (high, best) = (mid, measured);
            else low = mid;
        }
        return (new TuneCandidate(SpecAt(high), best.Recall, best.Visited * 100), 1 + Bisections);
    }

    private static (double Recall, double Visited) MeasureSpec(LabeledVectors database, LabeledVectors queries, long[][] truth,
        DistanceMetric metric, string spec)
    {
        using var index = Build(database, spec, metric);
        return Measure(index, database, queries, truth, null);
    }

    /// <summary>An index of <paramref name="spec"/> over <paramref name="database"/>, trained on it where it needs training.</summary>
    private static IVectorIndex Build(LabeledVectors database, string spec, DistanceMetric metric)
    {
        var index = IndexRegistry.Builtin.Create(database.Dimension, spec, metric);
        if (!index.IsTrained) index.Train(database.Vectors);
        index.Add(database.Vectors, Ids(database.Count));
        return index;
    }

    /// <summary>Recall@10 of a built index on <paramref name="queries"/>, and the share of the database it visited.</summary>
    private static (double Recall, double Visited) Measure(IVectorIndex index, LabeledVectors database, LabeledVectors queries, long[][] truth,
        SearchParameters? parameters)
    {
        double recall = 0, visited = 0;
        var distances = new float[Depth];
        var found = new long[Depth];
        for (int q = 0; q < queries.Count; q++)
        {
            var stats = index.Search(queries.Row(q), Depth, distances, found, parameters);
            visited += stats.CandidatesVisited;
            recall += found.Count(id => id >= 0 && Array.IndexOf(truth[q], id) >= 0) / (double)Depth;
        }
        return (recall / queries.Count, visited / queries.Count / database.Count);
    }

    /// <summary>Exact top-10 ids per query; <paramref name="scale"/> is the median 10th-neighbour distance in the hashed space.</summary>
    private static long[][] ExactNeighbours(IVectorIndex exact, LabeledVectors queries, DistanceMetric metric, out double scale)
    {
        var ids = new long[queries.Count * Depth];
        var distances = new float[queries.Count * Depth];
        exact.Search(queries.Vectors, Depth, distances, ids);
        var truth = new long[queries.Count][];
        var tenth = new double[queries.Count];
        for (int q = 0; q < queries.Count; q++)
        {
            truth[q] = ids.AsSpan(q * Depth, Depth).ToArray();
            float last = distances[(q * Depth) + Depth - 1];
            // E2LSH hashes unit vectors under cosine: the Euclidean distance there is sqrt(2 · cosine distance).
            tenth[q] = metric == DistanceMetric.Cosine ? Math.Sqrt(2 * Math.Max(0, last)) : last;
        }
        scale = Metrics.RetrievalMetrics.Percentile(tenth, 0.5);
        return truth;
    }

    private static long[] Ids(int count) => [.. Enumerable.Range(0, count).Select(i => (long)i)];
}
