using System.Globalization;
using Lookalike.Errors;

namespace Lookalike.Evaluation.Sweeps;

/// <summary>One concrete setting of a grid: the index spec and the values of the parameters that vary.</summary>
/// <param name="Spec">A spec the index factory accepts, e.g. <c>E2Lsh(tables=3,projections=2,width=4)</c>.</param>
/// <param name="Parameters">Every parameter written in the pattern, with this point's value.</param>
public sealed record GridPoint(string Spec, IReadOnlyDictionary<string, string> Parameters);

/// <summary>
/// Expands a spec pattern with ranges and lists into concrete specs:
/// <c>E2Lsh(tables=3..8,projections=2..4,width=4,6,8)</c> gives 6 × 3 × 3 settings. A range is
/// <c>a..b</c> (integers, step 1) or <c>a..b:step</c>; a list is values separated by commas (a
/// comma followed by something without <c>=</c> continues the list).
/// </summary>
public static class SpecGrid
{
    /// <summary>Most settings one pattern may expand to.</summary>
    public const int MaxPoints = 10_000;

    /// <summary>The settings of <paramref name="pattern"/>, in row-major order of its parameters.</summary>
    /// <exception cref="LookalikeException">for a malformed pattern or range.</exception>
    public static IReadOnlyList<GridPoint> Expand(string pattern)
    {
        string text = pattern.Trim();
        int open = text.IndexOf('(', StringComparison.Ordinal);
        if (open < 0) return [new GridPoint(text, new Dictionary<string, string>())];
        if (!text.EndsWith(')')) throw new LookalikeException($"Index pattern '{pattern}' lacks its closing parenthesis.");
        string name = text[..open].Trim();
        var parameters = ParseParameters(text[(open + 1)..^1], pattern);
        long total = parameters.Aggregate(1L, (n, p) => n * p.Values.Count);
        if (total > MaxPoints) throw new LookalikeException($"Index pattern '{pattern}' expands to {total:N0} settings; at most {MaxPoints:N0}.");
        var points = new List<GridPoint>();
        var choice = new int[parameters.Count];
        for (long n = 0; n < total; n++)
        {
            var values = parameters.Select((p, i) => (p.Name, Value: p.Values[choice[i]])).ToList();
            string spec = values.Count == 0 ? $"{name}()" : $"{name}({string.Join(",", values.Select(v => $"{v.Name}={v.Value}"))})";
            points.Add(new GridPoint(spec, values.ToDictionary(v => v.Name, v => v.Value)));
            for (int i = parameters.Count - 1; i >= 0; i--)
            {
                if (++choice[i] < parameters[i].Values.Count) break;
                choice[i] = 0;
            }
        }
        return points;
    }

    private static List<(string Name, List<string> Values)> ParseParameters(string body, string pattern)
    {
        var parameters = new List<(string Name, List<string> Values)>();
        foreach (string raw in body.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = raw.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                string name = raw[..equals].Trim();
                if (parameters.Any(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase)))
                    throw new LookalikeException($"Index pattern '{pattern}' names '{name}' twice.");
                parameters.Add((name, ExpandValue(raw[(equals + 1)..].Trim(), pattern)));
            }
            else if (parameters.Count > 0)
            {
                parameters[^1].Values.AddRange(ExpandValue(raw, pattern));
            }
            else
            {
                throw new LookalikeException($"Index pattern '{pattern}': '{raw}' is not name=value.");
            }
        }
        return parameters;
    }

    private static List<string> ExpandValue(string value, string pattern)
    {
        int dots = value.IndexOf("..", StringComparison.Ordinal);
        if (dots < 0) return [value];
        string end = value[(dots + 2)..];
        string step = "1";
        int colon = end.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            step = end[(colon + 1)..];
            end = end[..colon];
        }
        var c = CultureInfo.InvariantCulture;
        if (!double.TryParse(value[..dots], NumberStyles.Float, c, out double from) ||
            !double.TryParse(end, NumberStyles.Float, c, out double to) ||
            !double.TryParse(step, NumberStyles.Float, c, out double by) || by <= 0 || to < from)
        {
            throw new LookalikeException($"Index pattern '{pattern}': '{value}' is not a range a..b or a..b:step with a ≤ b and step > 0.");
        }
        var values = new List<string>();
        int count = (int)Math.Floor(((to - from) / by) + 1e-9) + 1;
        if (count > MaxPoints) throw new LookalikeException($"Index pattern '{pattern}': range '{value}' has more than {MaxPoints:N0} values.");
        for (int i = 0; i < count; i++) values.Add(Math.Round(from + (i * by), 10).ToString("R", c));
        return values;
    }
}
