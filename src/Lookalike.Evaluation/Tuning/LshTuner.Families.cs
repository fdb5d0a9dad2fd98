using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using Lookalike.Features;
using Lookalike.Indexes;
using Lookalike.Progress;

namespace Lookalike.Evaluation.Tuning;

/// <summary>
/// The angular families of <c>tune --family lsh</c>: each structure (tables, hashes or bits) is built
/// once and its search-time knobs — probes, Hamming radius, candidate budget — are swept on the built
/// index, cheapest first, until the target is met (FALCONN's recipe: fix the tables, grow the probing).
/// </summary>
public static partial class LshTuner
{
    private static readonly int[] FamilyTableChoices = [8, 16], FamilyProjectionChoices = [8, 12];
    private static readonly int[] AngularTableChoices = [8, 16, 32];
    private static readonly int[] HyperplaneBitChoices = [12, 16];
    private static readonly int[] ProbeChoices = [0, 1, 2, 4, 8, 16, 32, 64, 128];
    private static readonly double[] BudgetShares = [0.5, 0.7];
    private static readonly int[] CountingProbeChoices = [0, 1, 2, 4], CountingRadiusChoices = [0, 1];

    /// <summary>Budgets tried with collision counting, as shares of the database: 1/16 % to 16 % in steps of √2.</summary>
    private static readonly double[] CountingShares = [.. Enumerable.Range(0, 17).Select(i => 0.000625 * Math.Pow(2, i / 2.0))];

    /// <summary>Cross-polytope widths tried for the hash of each table: the padded dimension and a quarter of it.</summary>
    private static int[] LastDimensions(int dimension)
    {
        int padded = (int)BitOperations.RoundUpToPowerOf2((uint)dimension);
        return padded >= 8 ? [padded, padded / 4] : [padded];
    }

    private static int FamilyBuilds(int dimension) =>
        AngularTableChoices.Length * (HyperplaneBitChoices.Length + LastDimensions(dimension).Length);

    private static int AngularFamilies(LabeledVectors database, LabeledVectors queries, long[][] truth, TuneOptions options,
        List<TuneCandidate> candidates, IProgress<ProgressUpdate>? progress, ref int step, int steps)
    {
        var c = CultureInfo.InvariantCulture;
        int evaluations = 0;
        foreach (int tables in AngularTableChoices)
        {
            foreach (int last in LastDimensions(database.Dimension))
            {
                string structure = string.Create(c, $"CrossPolytopeLsh(tables={tables},hashes=1,lastDimension={last},centre=1");
                progress?.Report(new ProgressUpdate("Tuning", step++, steps, structure + ")"));
                evaluations += SweepProbes(database, queries, truth, options, candidates, structure, "probes", ProbeChoices, CountingProbeChoices);
            }
            foreach (int bits in HyperplaneBitChoices)
            {
                string structure = string.Create(c, $"HyperplaneLsh(tables={tables},bits={bits},centre=1");
                progress?.Report(new ProgressUpdate("Tuning", step++, steps, structure + ")"));
                evaluations += SweepProbes(database, queries, truth, options, candidates, structure, "radius", [0, 1, 2], CountingRadiusChoices);
            }
        }
        return evaluations;
    }

    /// <summary>
    /// Builds <paramref name="structure"/> once; finds the fewest probes reaching the target, then tries
    /// twice as many probes under candidate budgets below what those probes visited, then the smallest
    /// budget reaching the target with collision counting for each of <paramref name="countingChoices"/>.
    /// Adds the cheapest setting of each kind that reached the target.
    /// </summary>
    private static int SweepProbes(LabeledVectors database, LabeledVectors queries, long[][] truth, TuneOptions options,
        List<TuneCandidate> candidates, string structure, string knob, int[] choices, int[] countingChoices)
    {
        var c = CultureInfo.InvariantCulture;
        string Spec(string knobs) => string.Create(c, $"{structure},{knobs},seed={options.Seed})");
        using var index = Build(database, Spec($"{knob}=0"), options.Metric);
        int evaluations = 0;
        TuneCandidate? best = null;
        foreach (int probes in choices)
        {
            var (recall, visited) = Measure(index, database, queries, truth, new LshSearchParameters { Probes = probes });
            evaluations++;
            if (recall < options.TargetRecall) continue;
            best = new TuneCandidate(Spec(string.Create(c, $"{knob}={probes}")), recall, visited * 100);
            if (probes == choices[^1] || knob == "radius") break;
            int more = choices[Array.IndexOf(choices, probes) + 1];
            foreach (double share in BudgetShares)
            {
                int budget = Math.Max(Depth, (int)(share * visited * database.Count));
                var (budgetRecall, budgetVisited) = Measure(index, database, queries, truth,
                    new LshSearchParameters { Probes = more, MaxCandidates = budget });
                evaluations++;
                if (budgetRecall >= options.TargetRecall && budgetVisited * 100 < best.VisitedPercent)
                    best = new TuneCandidate(Spec(string.Create(c, $"{knob}={more},maxCandidates={budget}")), budgetRecall, budgetVisited * 100);
            }
            break;
        }
        if (best is not null) candidates.Add(best);
        return evaluations + SweepCounting(index, database, queries, truth, options, candidates, Spec, knob, countingChoices);
    }

    /// <summary>
    /// Collision counting on a built index: with the most probes, the smallest budget of the
    /// <see cref="CountingShares"/> grid that reaches the target; then, with fewer probes, smaller budgets
    /// while they still reach it (recall grows with the budget, so a budget that misses ends the search
    /// for that probe setting). Adds the cheapest setting found.
    /// </summary>
    private static int SweepCounting(IVectorIndex index, LabeledVectors database, LabeledVectors queries, long[][] truth, TuneOptions options,
        List<TuneCandidate> candidates, Func<string, string> spec, string knob, int[] probeChoices)
    {
        var c = CultureInfo.InvariantCulture;
        int evaluations = 0;
        TuneCandidate? best = null;
        int bestBudget = int.MaxValue;
        var budgets = CountingShares.Select(share => Math.Max(Depth, (int)Math.Round(share * database.Count))).Distinct().ToArray();
        foreach (int probes in probeChoices.OrderDescending())
        {
            bool ascending = best is null;
            foreach (int budget in ascending ? budgets : budgets.Where(b => b < bestBudget).Reverse())
            {
                var (recall, visited) = Measure(index, database, queries, truth,
                    new LshSearchParameters { Probes = probes, MaxCandidates = budget, CountCollisions = true });
                evaluations++;
                bool reached = recall >= options.TargetRecall;
                if (reached)
                {
                    best = new TuneCandidate(spec(string.Create(c, $"{knob}={probes},maxCandidates={budget},countCollisions=1")), recall, visited * 100);
                    bestBudget = budget;
                }
                // Ascending (no setting yet): stop at the first that reaches; descending: at the first that misses.
                if (reached == ascending) break;
            }
        }
        if (best is not null) candidates.Add(best);
        return evaluations;
    }

    /// <summary>Recall, visited share and single-thread queries per second of <paramref name="spec"/> on the check sample.</summary>
    private static (double Recall, double Visited, double QueriesPerSecond) MeasureCheck(LabeledVectors database, LabeledVectors queries,
        long[][] truth, DistanceMetric metric, string spec)
    {
        using var index = Build(database, spec, metric);
        var (recall, visited) = Measure(index, database, queries, truth, null);
        return (recall, visited, QueriesPerSecond(index, queries));
    }

    /// <summary>One query after another on one thread, as a user's searches arrive.</summary>
    private static double QueriesPerSecond(IVectorIndex index, LabeledVectors queries)
    {
        var distances = new float[Depth];
        var found = new long[Depth];
        var one = new SearchParameters { Threads = 1 };
        var clock = Stopwatch.StartNew();
        for (int q = 0; q < queries.Count; q++) index.Search(queries.Row(q), Depth, distances, found, one);
        return queries.Count / clock.Elapsed.TotalSeconds;
    }
}
