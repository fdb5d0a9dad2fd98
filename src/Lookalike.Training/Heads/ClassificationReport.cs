using System.Globalization;
using System.Text;

namespace Lookalike.Training.Heads;

/// <summary>Precision, recall, F1 and support of one class.</summary>
public sealed record ClassScores(string Name, double Precision, double Recall, double F1, int Support);

/// <summary>scikit-learn's classification report: per class, accuracy, macro and weighted averages.</summary>
public sealed record ClassificationReport(IReadOnlyList<ClassScores> Classes, double Accuracy, ClassScores MacroAverage,
    ClassScores WeightedAverage, int Support)
{
    /// <summary>Scores <paramref name="predicted"/> against <paramref name="actual"/> (class indices into <paramref name="names"/>).</summary>
    public static ClassificationReport Compute(IReadOnlyList<int> predicted, IReadOnlyList<int> actual, IReadOnlyList<string> names)
    {
        int n = actual.Count, k = names.Count;
        var truePositives = new int[k];
        var predictedCount = new int[k];
        var support = new int[k];
        for (int i = 0; i < n; i++)
        {
            support[actual[i]]++;
            predictedCount[predicted[i]]++;
            if (predicted[i] == actual[i]) truePositives[actual[i]]++;
        }
        var classes = Enumerable.Range(0, k).Select(c =>
        {
            double precision = predictedCount[c] == 0 ? 0 : (double)truePositives[c] / predictedCount[c];
            double recall = support[c] == 0 ? 0 : (double)truePositives[c] / support[c];
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            return new ClassScores(names[c], precision, recall, f1, support[c]);
        }).ToList();
        var macro = new ClassScores("macro avg", classes.Average(c => c.Precision), classes.Average(c => c.Recall), classes.Average(c => c.F1), n);
        double W(Func<ClassScores, double> f) => n == 0 ? 0 : classes.Sum(c => f(c) * c.Support) / n;
        var weighted = new ClassScores("weighted avg", W(c => c.Precision), W(c => c.Recall), W(c => c.F1), n);
        return new ClassificationReport(classes, n == 0 ? 0 : (double)truePositives.Sum() / n, macro, weighted, n);
    }

    /// <summary>The report laid out like scikit-learn's.</summary>
    public override string ToString()
    {
        var c = CultureInfo.InvariantCulture;
        int width = Math.Max(12, Classes.Max(x => x.Name.Length) + 2);
        var text = new StringBuilder();
        text.AppendLine(c, $"{"".PadLeft(width)} {"precision",10} {"recall",10} {"f1-score",10} {"support",10}");
        text.AppendLine();
        foreach (var s in Classes) text.AppendLine(c, $"{s.Name.PadLeft(width)} {s.Precision,10:F4} {s.Recall,10:F4} {s.F1,10:F4} {s.Support,10}");
        text.AppendLine();
        text.AppendLine(c, $"{"accuracy".PadLeft(width)} {"",10} {"",10} {Accuracy,10:F4} {Support,10}");
        foreach (var s in new[] { MacroAverage, WeightedAverage })
            text.AppendLine(c, $"{s.Name.PadLeft(width)} {s.Precision,10:F4} {s.Recall,10:F4} {s.F1,10:F4} {s.Support,10}");
        return text.ToString();
    }
}
