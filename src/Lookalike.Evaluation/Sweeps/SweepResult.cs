namespace Lookalike.Evaluation.Sweeps;

/// <summary>One setting of a sweep and what it achieved.</summary>
/// <param name="Spec">The index as built.</param>
/// <param name="Parameters">The grid parameters of this setting (empty for the exact reference).</param>
/// <param name="Exact">Whether this is the exact scan (the reference).</param>
/// <param name="Map">mAP@k against the labels.</param>
/// <param name="PrecisionAt10">mP@10.</param>
/// <param name="RecallAt10">Recall@10 against the exact scan.</param>
/// <param name="VisitedPercent">Candidates visited per query, as a percentage of the database.</param>
/// <param name="LatencyP50Ms">Median single-query search time.</param>
/// <param name="QueriesPerSecond">Measured on one thread, queries one at a time.</param>
/// <param name="BuildSeconds">Train + add time.</param>
/// <param name="MapWithoutDistractors">mAP@k of the same setting on the database without distractors, when there were any.</param>
/// <param name="QueriesPerSecondAllCores">Measured with every query in one call on all cores.</param>
public sealed record SweepRow(string Spec, IReadOnlyDictionary<string, string> Parameters, bool Exact, double Map, double PrecisionAt10,
    double RecallAt10, double VisitedPercent, double LatencyP50Ms, double QueriesPerSecond, double BuildSeconds,
    double? MapWithoutDistractors, double QueriesPerSecondAllCores = 0);

/// <summary>A whole sweep.</summary>
/// <param name="Database">Where the database came from.</param>
/// <param name="QuerySet">Where the queries came from.</param>
/// <param name="DatabaseCount">Labelled database rows.</param>
/// <param name="DistractorCount">Unlabelled rows mixed in.</param>
/// <param name="QueryCount">Queries.</param>
/// <param name="Metric">Distance metric.</param>
/// <param name="K">Cut-off of mAP@k.</param>
/// <param name="Rows">The exact reference first, then every setting of the grid.</param>
public sealed record SweepResult(string Database, string QuerySet, int DatabaseCount, int DistractorCount, int QueryCount, string Metric,
    int K, IReadOnlyList<SweepRow> Rows);
