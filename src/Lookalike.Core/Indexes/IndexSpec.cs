using System.Globalization;
using Lookalike.Errors;

namespace Lookalike.Indexes;

/// <summary>
/// One parsed component of an index spec string such as <c>E2Lsh(tables=7,projections=2,width=6)</c>.
/// A full spec is a comma-separated chain (<c>PCA64,Ivf(lists=256)</c>); commas inside parentheses
/// belong to the component.
/// </summary>
/// <param name="Name">Component name as written (matched case-insensitively).</param>
/// <param name="Parameters">key=value pairs, keys lower-cased.</param>
public sealed record IndexSpecComponent(string Name, IReadOnlyDictionary<string, string> Parameters)
{
    /// <summary>An integer parameter, or <paramref name="fallback"/> when absent.</summary>
    public int GetInt(string key, int fallback) => Get(key, fallback, s => int.Parse(s, CultureInfo.InvariantCulture));

    /// <summary>A floating-point parameter, or <paramref name="fallback"/> when absent.</summary>
    public double GetDouble(string key, double fallback) => Get(key, fallback, s => double.Parse(s, CultureInfo.InvariantCulture));

    /// <summary>Throws when a parameter other than <paramref name="known"/> was given.</summary>
    public void RejectUnknown(params string[] known)
    {
        foreach (string key in Parameters.Keys)
        {
            if (!known.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                string accepted = known.Length == 0 ? "none" : string.Join(", ", known);
                throw new LookalikeException($"Index '{Name}' has no parameter '{key}'; accepted: {accepted}.");
            }
        }
    }

    private T Get<T>(string key, T fallback, Func<string, T> parse)
    {
        if (!Parameters.TryGetValue(key, out string? text)) return fallback;
        try
        {
            return parse(text);
        }
        catch (FormatException)
        {
            throw new LookalikeException($"Index '{Name}': parameter {key}='{text}' is not a valid {typeof(T).Name.ToLowerInvariant()}.");
        }
        catch (OverflowException)
        {
            throw new LookalikeException($"Index '{Name}': parameter {key}='{text}' is out of range.");
        }
    }

    /// <summary>Parses a whole spec into its components.</summary>
    public static IReadOnlyList<IndexSpecComponent> ParseChain(string spec)
    {
        if (string.IsNullOrWhiteSpace(spec)) throw new LookalikeException("The index spec is empty; try 'Flat'.");
        var parts = new List<string>();
        int depth = 0, start = 0;
        for (int i = 0; i < spec.Length; i++)
        {
            switch (spec[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    if (--depth < 0) throw Malformed(spec);
                    break;
                case ',' when depth == 0:
                    parts.Add(spec[start..i]);
                    start = i + 1;
                    break;
            }
        }
        if (depth != 0) throw Malformed(spec);
        parts.Add(spec[start..]);
        return parts.Select(p => ParseOne(p.Trim(), spec)).ToList();
    }

    private static IndexSpecComponent ParseOne(string text, string spec)
    {
        int open = text.IndexOf('(');
        string name = (open < 0 ? text : text[..open]).Trim();
        if (name.Length == 0) throw Malformed(spec);
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (open >= 0)
        {
            if (!text.EndsWith(')')) throw Malformed(spec);
            string inner = text[(open + 1)..^1];
            foreach (string pair in inner.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                int eq = pair.IndexOf('=');
                if (eq <= 0) throw new LookalikeException($"Index spec '{spec}': '{pair}' is not key=value.");
                parameters[pair[..eq].Trim().ToLowerInvariant()] = pair[(eq + 1)..].Trim();
            }
        }
        return new IndexSpecComponent(name, parameters);
    }

    private static LookalikeException Malformed(string spec) =>
        new($"Index spec '{spec}' is malformed; expected e.g. 'Flat' or 'E2Lsh(tables=7,projections=2,width=6)'.");
}
