using System.Globalization;
using Lookalike.Evaluation.Sweeps;

namespace Lookalike.Evaluation.Plots;

/// <summary>The plots of a sweep: each quality and cost measure against each varied parameter, and the Pareto fronts.</summary>
public static class SweepPlots
{
    private const int MaxLines = 12;

    /// <summary>Writes the PNG files into <paramref name="folder"/> and returns their names.</summary>
    public static IReadOnlyList<string> Write(SweepResult sweep, string folder)
    {
        Directory.CreateDirectory(folder);
        var files = new List<string>();
        var settings = sweep.Rows.Where(r => !r.Exact).ToList();
        var exact = sweep.Rows.FirstOrDefault(r => r.Exact);
        foreach (string parameter in Varied(settings))
        {
            files.Add(Against(folder, settings, parameter, $"map-vs-{parameter}.png", $"mAP@{sweep.K}", r => r.Map));
            files.Add(Against(folder, settings, parameter, $"visited-vs-{parameter}.png", "visited %", r => r.VisitedPercent));
        }
        files.Add(Front(folder, "pareto-recall-vs-visited.png", "recall@10 vs visited % (Pareto front: fewest visited for each recall)",
            "visited % of the database", settings, exact, r => r.VisitedPercent, lowerIsBetter: true));
        files.Add(Front(folder, "pareto-recall-vs-qps.png", "recall@10 vs queries/s (one thread; Pareto front: fastest for each recall)",
            "queries per second", settings, exact, r => r.QueriesPerSecond, lowerIsBetter: false));
        return files;
    }

    /// <summary>The rows on the Pareto front of recall (higher is better) against <paramref name="cost"/>.</summary>
    public static IReadOnlyList<SweepRow> ParetoFront(IEnumerable<SweepRow> rows, Func<SweepRow, double> cost, bool lowerIsBetter)
    {
        var ordered = lowerIsBetter ? rows.OrderBy(cost).ThenByDescending(r => r.RecallAt10) : rows.OrderByDescending(cost).ThenByDescending(r => r.RecallAt10);
        var front = new List<SweepRow>();
        double best = double.NegativeInfinity;
        foreach (var row in ordered)
        {
            if (row.RecallAt10 <= best) continue;
            front.Add(row);
            best = row.RecallAt10;
        }
        return front;
    }

    private static IEnumerable<string> Varied(IReadOnlyList<SweepRow> rows) =>
        rows.SelectMany(r => r.Parameters.Keys).Distinct(StringComparer.OrdinalIgnoreCase)
            .Where(p => rows.Select(r => r.Parameters.GetValueOrDefault(p)).Distinct().Count() > 1 &&
                rows.All(r => Number(r.Parameters.GetValueOrDefault(p)) is not null));

    private static string Against(string folder, IReadOnlyList<SweepRow> rows, string parameter, string file, string measure,
        Func<SweepRow, double> y)
    {
        var series = rows.GroupBy(r => string.Join(", ", r.Parameters.Where(p => !p.Key.Equals(parameter, StringComparison.OrdinalIgnoreCase) &&
                    rows.Select(o => o.Parameters.GetValueOrDefault(p.Key)).Distinct().Count() > 1)
                .Select(p => $"{p.Key}={p.Value}")))
            .Take(MaxLines)
            .Select(g => (g.Key, (IReadOnlyList<(double, double)>)[.. g.Select(r => (Number(r.Parameters[parameter])!.Value, y(r)))]));
        Charts.Lines(Path.Combine(folder, file), $"{measure} vs {parameter}", parameter, measure, series);
        return file;
    }

    private static string Front(string folder, string file, string title, string xLabel, IReadOnlyList<SweepRow> rows, SweepRow? exact,
        Func<SweepRow, double> cost, bool lowerIsBetter)
    {
        var finite = rows.Where(r => double.IsFinite(cost(r))).ToList();
        var front = ParetoFront(finite, cost, lowerIsBetter);
        Charts.Pareto(Path.Combine(folder, file), title, xLabel, "recall@10 vs exact",
            [.. finite.Select(r => (cost(r), r.RecallAt10))], [.. front.Select(r => (cost(r), r.RecallAt10))],
            exact is not null && double.IsFinite(cost(exact)) ? (cost(exact), exact.RecallAt10) : null);
        return file;
    }

    private static double? Number(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) ? value : null;
}
