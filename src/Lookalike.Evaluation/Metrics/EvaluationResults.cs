namespace Lookalike.Evaluation.Metrics;

/// <summary>Means over a set of queries (all, or one class).</summary>
/// <param name="Queries">Queries measured.</param>
/// <param name="QueriesWithoutRelevant">Queries whose class has no database item (left out of the mAP figures).</param>
/// <param name="MapAtK">Mean AP@k.</param>
/// <param name="MapFull">Mean AP over the full exact ranking (exact indexes only).</param>
/// <param name="PrecisionAt10">Mean P@10, also called mP@10 (the ArtImages report's "mAP").</param>
/// <param name="PrecisionAt50">Mean P@50.</param>
/// <param name="Top1">Share of queries whose first result is relevant.</param>
/// <param name="Top5">Share with a relevant result in the first 5.</param>
/// <param name="Top10">Share with a relevant result in the first 10.</param>
/// <param name="RecallAt10">Mean |top-10 ∩ exact top-10| / 10.</param>
/// <param name="MeanDistance">Mean distance of the first k results.</param>
/// <param name="MeanSimilarity">Mean cosine similarity of the first k results.</param>
/// <param name="VisitedPerQuery">Mean candidates visited.</param>
/// <param name="DistancesPerQuery">Mean distance computations.</param>
public sealed record MetricSet(int Queries, int QueriesWithoutRelevant, double MapAtK, double? MapFull, double PrecisionAt10,
    double PrecisionAt50, double Top1, double Top5, double Top10, double RecallAt10, double MeanDistance, double MeanSimilarity,
    double VisitedPerQuery, double DistancesPerQuery);

/// <summary>One index's results.</summary>
/// <param name="Spec">The index as built.</param>
/// <param name="BuildSeconds">Train + add time.</param>
/// <param name="LatencyP50Ms">Median single-query search time.</param>
/// <param name="LatencyP95Ms">95th percentile single-query search time.</param>
/// <param name="VisitedShare">Mean visited candidates as a share of the database.</param>
/// <param name="Overall">All queries.</param>
/// <param name="PerClass">Per query class.</param>
/// <param name="QueriesPerSecond">Measured: queries one at a time on one thread, over their total time.</param>
/// <param name="QueriesPerSecondAllCores">Measured: every query in one call on all cores.</param>
public sealed record IndexEvaluation(string Spec, double BuildSeconds, double LatencyP50Ms, double LatencyP95Ms, double VisitedShare,
    MetricSet Overall, IReadOnlyDictionary<string, MetricSet> PerClass, double QueriesPerSecond = 0, double QueriesPerSecondAllCores = 0);

/// <summary>A whole evaluation run.</summary>
public sealed record EvaluationReport(string Database, string QuerySet, int DatabaseCount, int DistractorCount, int QueryCount,
    int Dimension, string Metric, int K, IReadOnlyList<IndexEvaluation> Indexes);
