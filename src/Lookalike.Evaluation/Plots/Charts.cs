using ScottPlot;

namespace Lookalike.Evaluation.Plots;

/// <summary>The few chart shapes reports need, saved as PNG with ScottPlot.</summary>
public static class Charts
{
    /// <summary>Chart size in pixels.</summary>
    public const int Width = 900, Height = 560;

    /// <summary>One line per series, x ascending; the legend where <paramref name="legend"/> says (lower right by default).</summary>
    public static void Lines(string path, string title, string xLabel, string yLabel,
        IEnumerable<(string Name, IReadOnlyList<(double X, double Y)> Points)> series, Alignment legend = Alignment.LowerRight)
    {
        var plot = New(title, xLabel, yLabel);
        // Twenty distinct colours: comparisons draw more lines than the default palette's ten.
        plot.Add.Palette = new ScottPlot.Palettes.Category20();
        bool named = false;
        foreach (var (name, points) in series)
        {
            var ordered = points.OrderBy(p => p.X).ToArray();
            var line = plot.Add.Scatter(ordered.Select(p => p.X).ToArray(), ordered.Select(p => p.Y).ToArray());
            line.LegendText = name;
            line.MarkerSize = 6;
            named |= name.Length > 0;
        }
        if (named) plot.ShowLegend(legend);
        plot.SavePng(path, Width, Height);
    }

    /// <summary>Every setting as a point, the Pareto front as a line, and the exact reference as a red star.</summary>
    public static void Pareto(string path, string title, string xLabel, string yLabel, IReadOnlyList<(double X, double Y)> settings,
        IReadOnlyList<(double X, double Y)> front, (double X, double Y)? reference)
    {
        var plot = New(title, xLabel, yLabel);
        var all = plot.Add.ScatterPoints(settings.Select(p => p.X).ToArray(), settings.Select(p => p.Y).ToArray());
        all.LegendText = "settings";
        all.Color = Colors.Gray.WithAlpha(0.6);
        all.MarkerSize = 6;
        if (front.Count > 0)
        {
            var line = plot.Add.Scatter(front.Select(p => p.X).ToArray(), front.Select(p => p.Y).ToArray());
            line.LegendText = "Pareto front";
            line.Color = Colors.Blue;
            line.MarkerSize = 8;
        }
        if (reference is { } r)
        {
            // Far beyond the settings (e.g. 100 % visited), the reference would squash them into a corner: draw it as a level.
            double widest = settings.Count == 0 ? 0 : settings.Max(p => p.X);
            if (settings.Count > 0 && r.X > 3 * widest)
            {
                var level = plot.Add.HorizontalLine(r.Y, 2, Colors.Red, LinePattern.Dashed);
                level.LegendText = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"exact scan (x = {r.X:G4})");
            }
            else
            {
                var exact = plot.Add.Marker(r.X, r.Y, MarkerShape.FilledDiamond, 14, Colors.Red);
                exact.LegendText = "exact scan";
            }
        }
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, Width, Height);
    }

    /// <summary>A histogram of <paramref name="values"/> in <paramref name="bins"/> equal bins.</summary>
    public static void Histogram(string path, string title, string xLabel, IReadOnlyList<double> values, int bins = 50)
    {
        var plot = New(title, xLabel, "pairs");
        var finite = values.Where(double.IsFinite).ToArray();
        if (finite.Length > 0)
        {
            double min = finite.Min(), max = finite.Max();
            double width = max > min ? (max - min) / bins : 1;
            var counts = new double[bins];
            foreach (double v in finite) counts[Math.Min(bins - 1, (int)((v - min) / width))]++;
            var bars = plot.Add.Bars(Enumerable.Range(0, bins).Select(i => min + ((i + 0.5) * width)).ToArray(), counts);
            foreach (var bar in bars.Bars)
            {
                bar.Size = width;
                bar.LineWidth = 0;
            }
            plot.Axes.Margins(bottom: 0);
        }
        plot.SavePng(path, Width, Height);
    }

    private static Plot New(string title, string xLabel, string yLabel)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        return plot;
    }
}
