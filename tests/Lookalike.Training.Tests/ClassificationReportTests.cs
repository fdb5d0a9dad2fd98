using Lookalike.Training.Heads;

namespace Lookalike.Training.Tests;

public sealed class ClassificationReportTests
{
    [Fact]
    public void Matches_scikit_learns_numbers()
    {
        // sklearn.metrics.classification_report(y_true=[0,0,0,1,1,2], y_pred=[0,0,1,1,2,2]):
        // class 0: p 1.00 r 0.67 f1 0.80 (3); class 1: p 0.50 r 0.50 f1 0.50 (2); class 2: p 0.50 r 1.00 f1 0.67 (1);
        // accuracy 0.67; macro p 0.667 r 0.722 f1 0.656; weighted p 0.750 r 0.667 f1 0.678.
        var report = ClassificationReport.Compute([0, 0, 1, 1, 2, 2], [0, 0, 0, 1, 1, 2], ["a", "b", "c"]);
        Assert.Equal(1.0, report.Classes[0].Precision, 3);
        Assert.Equal(2 / 3.0, report.Classes[0].Recall, 3);
        Assert.Equal(0.8, report.Classes[0].F1, 3);
        Assert.Equal(2 / 3.0, report.Classes[2].F1, 3);
        Assert.Equal(4 / 6.0, report.Accuracy, 3);
        Assert.Equal(0.6667, report.MacroAverage.Precision, 3);
        Assert.Equal(0.7222, report.MacroAverage.Recall, 3);
        Assert.Equal(0.6556, report.MacroAverage.F1, 3);
        Assert.Equal(0.75, report.WeightedAverage.Precision, 3);
        Assert.Equal(0.6778, report.WeightedAverage.F1, 3);
        Assert.Contains("weighted avg", report.ToString());
    }
}
