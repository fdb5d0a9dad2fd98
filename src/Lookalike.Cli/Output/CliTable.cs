using Spectre.Console;

namespace Lookalike.Cli.Output;

/// <summary>
/// A table of plain text cells: drawn with borders on a terminal; written as tab-separated lines (a
/// header, then one line per row, no padding) when the output goes to a file or a pipe, so that
/// scripts can cut columns. There a cell's backslashes, tabs, line breaks and other control characters
/// are escaped as in every line-per-item output (<see cref="Lookalike.IO.LineText"/>).
/// </summary>
public sealed class CliTable(params string[] columns)
{
    private readonly List<string[]> _rows = [];

    /// <summary>Whether the column names are written (false: a grid of key/value lines, the first column in bold on a terminal).</summary>
    public bool ShowHeader { get; init; } = true;

    /// <summary>Adds a row of as many cells as there are columns.</summary>
    public CliTable AddRow(params string[] cells)
    {
        if (cells.Length != columns.Length) throw new ArgumentException($"A row needs {columns.Length} cells (had {cells.Length}).", nameof(cells));
        _rows.Add(cells);
        return this;
    }

    /// <summary>Writes the table to <paramref name="console"/> in the form its output takes.</summary>
    public void WriteTo(IAnsiConsole console)
    {
        if (!console.Profile.Out.IsTerminal)
        {
            var writer = console.Profile.Out.Writer;
            if (ShowHeader) writer.WriteLine(Line(columns));
            foreach (var row in _rows) writer.WriteLine(Line(row));
            writer.Flush();
            return;
        }
        if (!ShowHeader)
        {
            var grid = new Grid();
            foreach (var _ in columns) grid.AddColumn();
            foreach (var row in _rows) grid.AddRow([$"[bold]{Markup.Escape(row[0])}[/]", .. row[1..].Select(Markup.Escape)]);
            console.Write(grid);
            return;
        }
        var table = new Table().AddColumns([.. columns.Select(Markup.Escape)]);
        foreach (var row in _rows) table.AddRow([.. row.Select(Markup.Escape)]);
        console.Write(table);
    }

    private static string Line(IEnumerable<string> cells) => string.Join('\t', cells.Select(Lookalike.IO.LineText.Escape));
}
