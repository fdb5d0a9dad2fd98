using Lookalike.Evaluation.Datasets;
using Lookalike.Evaluation.Metrics;
using Lookalike.Features;
using Lookalike.Indexes;
using Lookalike.Progress;

namespace Lookalike.Evaluation.Sweeps;

/// <summary>What to sweep.</summary>
/// <param name="Patterns">Spec patterns with ranges and lists (<see cref="SpecGrid"/>).</param>
/// <param name="Metric">Distance metric.</param>
/// <param name="K">Cut-off of mAP@k.</param>
public sealed record SweepOptions(IReadOnlyList<string> Patterns, DistanceMetric Metric, int K = 10);

/// <summary>
/// Evaluates every setting of a grid on the same features with one exact ground truth (the exact
/// scan is always included as the reference row).
/// </summary>
public static class Sweep
{
    /// <summary>
    /// Runs the grid. When <paramref name="distractors"/> rows were appended to <paramref name="database"/>,
    /// each setting is also measured without them (on <paramref name="withoutDistractors"/>).
    /// </summary>
    public static SweepResult Run(LabeledVectors database, LabeledVectors queries, SweepOptions options, int distractors = 0,
        LabeledVectors? withoutDistractors = null, IProgress<ProgressUpdate>? progress = null)
    {
        var points = options.Patterns.SelectMany(SpecGrid.Expand).ToList();
        if (!points.Any(p => Flat.IsSpec(p.Spec))) points.Insert(0, new GridPoint(Flat.TypeName, new Dictionary<string, string>()));
        var evaluation = new EvaluationOptions([.. points.Select(p => p.Spec)], options.Metric, options.K);
        var report = Evaluator.Run(database, queries, evaluation, distractors, progress);
        var clean = withoutDistractors is null ? null : Evaluator.Run(withoutDistractors, queries, evaluation, 0, progress);
        var rows = points.Select((p, i) => ToRow(p, report.Indexes[i], clean?.Indexes[i])).ToList();
        return new SweepResult(report.Database, report.QuerySet, report.DatabaseCount, report.DistractorCount, report.QueryCount,
            report.Metric, report.K, rows);
    }

    private static SweepRow ToRow(GridPoint point, IndexEvaluation result, IndexEvaluation? clean)
    {
        var m = result.Overall;
        return new SweepRow(result.Spec, point.Parameters, Flat.IsSpec(point.Spec), m.MapAtK, m.PrecisionAt10, m.RecallAt10,
            result.VisitedShare * 100, result.LatencyP50Ms, result.QueriesPerSecond, result.BuildSeconds, clean?.Overall.MapAtK,
            result.QueriesPerSecondAllCores);
    }
}
