using System.Globalization;
using System.Text;

namespace Lookalike.IO;

/// <summary>
/// Keeps a text on one line: a file name may hold a newline, which would break a one-entry-a-line
/// sidecar file or a one-line message. Backslash, newline, carriage return, tab and other control
/// characters are written as <c>\\</c>, <c>\n</c>, <c>\r</c>, <c>\t</c> and <c>\uXXXX</c>;
/// <see cref="Unescape"/> reverses it exactly.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class LineText
{
    /// <summary><paramref name="text"/> with no line break and no control character.</summary>
    public static string Escape(string text)
    {
        if (!text.AsSpan().ContainsAny(Special)) return text;
        var escaped = new StringBuilder(text.Length + 8);
        foreach (char c in text)
        {
            switch (c)
            {
                case '\\': escaped.Append(@"\\"); break;
                case '\n': escaped.Append(@"\n"); break;
                case '\r': escaped.Append(@"\r"); break;
                case '\t': escaped.Append(@"\t"); break;
                default:
                    if (char.IsControl(c)) escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    else escaped.Append(c);
                    break;
            }
        }
        return escaped.ToString();
    }

    /// <summary>The text <see cref="Escape"/> was given.</summary>
    public static string Unescape(string line)
    {
        if (!line.Contains('\\')) return line;
        var text = new StringBuilder(line.Length);
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (c != '\\' || i + 1 == line.Length)
            {
                text.Append(c);
                continue;
            }
            char next = line[++i];
            switch (next)
            {
                case 'n': text.Append('\n'); break;
                case 'r': text.Append('\r'); break;
                case 't': text.Append('\t'); break;
                case 'u' when i + 4 < line.Length &&
                    int.TryParse(line.AsSpan(i + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int code):
                    text.Append((char)code);
                    i += 4;
                    break;
                default: text.Append(next); break;
            }
        }
        return text.ToString();
    }

    /// <summary>At most <paramref name="max"/> characters of <paramref name="text"/>, escaped, with "…" when cut: safe to echo in a message.</summary>
    public static string Short(string? text, int max = 40)
    {
        if (text is null) return "";
        string cut = text.Length > max ? text[..max] : text;
        return Escape(cut) + (text.Length > max ? $"… ({text.Length:N0} characters)" : "");
    }

    private static readonly System.Buffers.SearchValues<char> Special = System.Buffers.SearchValues.Create(
        [.. Enumerable.Range(0, 32).Select(i => (char)i), '\\', (char)127]);
}
