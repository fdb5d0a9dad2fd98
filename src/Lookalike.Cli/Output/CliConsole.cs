using System.Globalization;
using Spectre.Console;

namespace Lookalike.Cli.Output;

/// <summary>
/// The console the program writes to: on a terminal as wide as the terminal (or <c>COLUMNS</c> when it
/// is set); redirected to a file or a pipe, lines are never wrapped, so scripts read whole lines.
/// </summary>
public static class CliConsole
{
    /// <summary>The width of redirected output: wider than any line the program writes.</summary>
    public const int UnwrappedWidth = 1 << 20;

    /// <summary>Standard output as a Spectre console.</summary>
    public static IAnsiConsole Create()
    {
        var console = AnsiConsole.Console;
        console.Profile.Width = WidthOf(Console.IsOutputRedirected, Environment.GetEnvironmentVariable("COLUMNS"), console.Profile.Width);
        return console;
    }

    /// <summary>The width to write at: unwrapped when redirected, else <paramref name="columns"/> when it is a positive number, else the terminal's.</summary>
    public static int WidthOf(bool redirected, string? columns, int terminal)
    {
        if (redirected) return UnwrappedWidth;
        return int.TryParse(columns, NumberStyles.None, CultureInfo.InvariantCulture, out int width) && width is > 0 and < UnwrappedWidth ? width : terminal;
    }
}
