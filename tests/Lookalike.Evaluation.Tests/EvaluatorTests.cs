using Lookalike.Evaluation.Datasets;
using Lookalike.Evaluation.Metrics;
using Lookalike.Features;
using Lookalike.Indexes;
using Lookalike.Tests.Common;

namespace Lookalike.Evaluation.Tests;

public sealed class EvaluatorTests
{
    /// <summary>
    /// Database (L2): id0 (0,0) A · id1 (1,0) B · id2 (1,0) A · id3 (5,5) A. Query (1,0) of class A
    /// ties ids 1 and 2 at distance 0 (broken by id), so its ranking is B, A, A, A.
    /// A second query of class C has no relevant item.
    /// </summary>
    [Fact]
    public void Ties_and_queries_without_relevant_items_follow_the_definitions()
    {
        var db = new LabeledVectors("db", 2, [0, 0, 1, 0, 1, 0, 5, 5], ["A", "B", "A", "A"], ["0", "1", "2", "3"]);
        var queries = new LabeledVectors("q", 2, [1, 0, 1, 0], ["A", "C"], ["qa", "qc"]);
        var report = Evaluator.Run(db, queries, new EvaluationOptions(["Flat"], DistanceMetric.L2, K: 3));
        var m = report.Indexes[0].Overall;

        Assert.Equal(1, m.QueriesWithoutRelevant);
        Assert.Equal(((1 / 2.0) + (2 / 3.0)) / 3, m.MapAtK, 9);
        Assert.Equal(((1 / 2.0) + (2 / 3.0) + (3 / 4.0)) / 3, m.MapFull!.Value, 9);
        Assert.Equal((0.3 + 0) / 2, m.PrecisionAt10, 9);
        Assert.Equal(0, m.Top1);
        Assert.Equal(0.5, m.Top5);
        Assert.Equal(1, m.RecallAt10);
        Assert.Equal(4, m.VisitedPerQuery);
        var perClass = report.Indexes[0].PerClass;
        Assert.Equal(["A", "C"], perClass.Keys);
        Assert.True(double.IsNaN(perClass["C"].MapAtK));
    }

    [Fact]
    public void Approximate_indexes_report_recall_and_work_against_the_exact_scan()
    {
        const int d = 16;
        float[] data = RecallMeter.Clustered(2000, d, clusters: 10, seed: 3);
        var labels = Enumerable.Range(0, 2000).Select(i => (string?)$"c{i % 10}").ToArray();
        var db = new LabeledVectors("db", d, data, labels, labels.Select((_, i) => $"{i}").ToArray());
        var queries = db.TakePerClass(5);
        var report = Evaluator.Run(db, queries, new EvaluationOptions(["Flat", "E2Lsh(tables=2,projections=4,width=8)"], DistanceMetric.L2));

        var flat = report.Indexes[0];
        var lsh = report.Indexes[1];
        Assert.Equal(1, flat.Overall.RecallAt10);
        Assert.Equal(1, flat.VisitedShare);
        Assert.NotNull(flat.Overall.MapFull);
        Assert.Null(lsh.Overall.MapFull);
        Assert.InRange(lsh.VisitedShare, 0.001, 0.9);
        Assert.InRange(lsh.Overall.RecallAt10, 0.05, 1);
        Assert.True(flat.Overall.MapAtK >= lsh.Overall.MapAtK - 0.05);
        Assert.Equal(50, report.QueryCount);
        Assert.Equal(10, flat.PerClass.Count);
    }

    [Fact]
    public void Distractors_are_never_relevant()
    {
        var db = new LabeledVectors("db", 1, [0, 10], ["A", "A"], ["a", "b"]);
        var distractors = new LabeledVectors("d", 1, [0.1f, 0.2f], ["A", "A"], ["x", "y"]);
        var merged = db.Concat(distractors, unlabel: true);
        var queries = new LabeledVectors("q", 1, [0], ["A"], ["q"]);
        var report = Evaluator.Run(merged, queries, new EvaluationOptions(["Flat"], DistanceMetric.L2, K: 4), distractors: 2);
        // Ranking: a (A), x, y, b (A): AP@4 = (1 + 2/4) / 2.
        Assert.Equal((1 + 0.5) / 2, report.Indexes[0].Overall.MapAtK, 9);
        Assert.Equal(2, report.DistractorCount);
    }
}
