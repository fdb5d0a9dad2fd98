using System.Globalization;
using System.Text.RegularExpressions;
using Lookalike.Errors;

namespace Lookalike.Evaluation.Sweeps;

/// <summary>
/// Picks the cheapest setting that meets a target such as <c>recall&gt;=0.95</c> or
/// <c>map&gt;=0.5 and visited&lt;=5</c>. Fields: recall (recall@10), map, p10, visited (%),
/// latency (ms), qps. Cheapest = fewest visited candidates, then lowest latency.
/// </summary>
public static partial class SweepPicker
{
    private static readonly Dictionary<string, Func<SweepRow, double>> Fields = new(StringComparer.OrdinalIgnoreCase)
    {
        ["recall"] = r => r.RecallAt10,
        ["map"] = r => r.Map,
        ["p10"] = r => r.PrecisionAt10,
        ["visited"] = r => r.VisitedPercent,
        ["latency"] = r => r.LatencyP50Ms,
        ["qps"] = r => r.QueriesPerSecond,
    };

    /// <summary>The cheapest row meeting every condition of <paramref name="target"/>, or null when none does.</summary>
    /// <exception cref="LookalikeException">for a malformed target.</exception>
    public static SweepRow? Pick(IEnumerable<SweepRow> rows, string target)
    {
        var conditions = Parse(target);
        return rows.Where(r => conditions.All(c => c(r)))
            .OrderBy(r => r.VisitedPercent).ThenBy(r => r.LatencyP50Ms).FirstOrDefault();
    }

    private static List<Func<SweepRow, bool>> Parse(string target)
    {
        var parts = AndSeparator().Split(target.Trim()).Where(p => p.Length > 0).ToList();
        if (parts.Count == 0) throw new LookalikeException("--pick needs a condition such as \"recall>=0.95\".");
        return parts.Select(part =>
        {
            var match = Condition().Match(part);
            if (!match.Success || !Fields.TryGetValue(match.Groups["field"].Value, out var field) ||
                !double.TryParse(match.Groups["value"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            {
                throw new LookalikeException(
                    $"Cannot read the condition '{part}'; write FIELD OP NUMBER with FIELD one of {string.Join(", ", Fields.Keys)} and OP one of >=, <=, >, <, =.");
            }
            return match.Groups["op"].Value switch
            {
                ">=" => (Func<SweepRow, bool>)(r => field(r) >= value),
                "<=" => r => field(r) <= value,
                ">" => r => field(r) > value,
                "<" => r => field(r) < value,
                _ => r => Math.Abs(field(r) - value) < 1e-12,
            };
        }).ToList();
    }

    [GeneratedRegex(@"\s*(?:,|&&|\band\b)\s*", RegexOptions.IgnoreCase)]
    private static partial Regex AndSeparator();

    [GeneratedRegex(@"^\s*(?<field>[a-z0-9]+)\s*(?<op>>=|<=|>|<|==?)\s*(?<value>[-+0-9.eE]+)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex Condition();
}
