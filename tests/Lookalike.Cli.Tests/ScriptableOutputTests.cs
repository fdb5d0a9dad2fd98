using System.Diagnostics;
using System.Text.Json;
using Lookalike.Cli.Output;
using Lookalike.Collections;
using Lookalike.Tests.Common;

namespace Lookalike.Cli.Tests;

/// <summary>Output a script can read: whole lines when redirected, options checked before any work, values in range.</summary>
public sealed class ScriptableOutputTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    /// <summary>The three shared photos in a folder whose path alone is longer than a terminal line.</summary>
    private string LongPathPhotos()
    {
        string folder = _temp.Combine("a folder whose name alone is longer than the eighty columns of a terminal line, on purpose");
        Directory.CreateDirectory(folder);
        foreach (string photo in new[] { "chelsea.png", "coffee.png", "rocket.jpg" }) File.Copy(TestData.Photo(photo), Path.Combine(folder, photo));
        return folder;
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunProcessAsync(IDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "lookalike.dll"));
        foreach (string argument in args) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }

    [SharedDataFact]
    public async Task Redirected_output_is_whole_tab_separated_lines_whatever_COLUMNS_says()
    {
        string photos = LongPathPhotos();
        string collection = _temp.Combine("c");
        var narrow = new Dictionary<string, string> { ["COLUMNS"] = "40" };
        var indexed = await RunProcessAsync(narrow, "index", photos, "--collection", collection, "--model", TestData.ModelPath, "--index", "Flat");
        Assert.True(indexed.ExitCode == 0, indexed.Error);
        var summary = indexed.Output.Split('\n').Single(line => line.StartsWith("Indexed ", StringComparison.Ordinal));
        Assert.EndsWith("non-image file(s) ignored.", summary);

        string query = Path.Combine(photos, "coffee.png");
        var search = await RunProcessAsync(narrow, "search", query, "--collection", collection, "-k", "3");
        Assert.True(search.ExitCode == 0, search.Error);
        var lines = search.Output.TrimEnd('\n').Split('\n');
        Assert.Equal("rank\tcosine distance\tsimilarity\tpath\tlabel", lines[0]);
        var rows = lines[1..4].Select(line => line.Split('\t')).ToArray();
        Assert.All(rows, cells => Assert.Equal(5, cells.Length));
        Assert.Equal(["1", "0.0000", "1.0000", query, ""], rows[0]);
        Assert.Equal(["2", "3"], rows[1..].Select(cells => cells[0]));
        Assert.All(rows, cells => Assert.StartsWith(photos, cells[3], StringComparison.Ordinal));
        Assert.StartsWith("Flat: 3 candidates visited", lines[4]);
        Assert.Equal(5, lines.Length);
    }

    [Fact]
    public void A_terminal_takes_COLUMNS_when_it_is_a_width_and_redirected_output_never_wraps()
    {
        Assert.Equal(CliConsole.UnwrappedWidth, CliConsole.WidthOf(redirected: true, "40", terminal: 80));
        Assert.Equal(132, CliConsole.WidthOf(redirected: false, "132", terminal: 80));
        Assert.Equal(80, CliConsole.WidthOf(redirected: false, "wide", terminal: 80));
        Assert.Equal(80, CliConsole.WidthOf(redirected: false, "-5", terminal: 80));
        Assert.Equal(80, CliConsole.WidthOf(redirected: false, null, terminal: 80));
    }

    [Fact]
    public void A_redirected_table_is_one_escaped_line_per_row()
    {
        var written = new StringWriter();
        var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings { Out = new Spectre.Console.AnsiConsoleOutput(written) });
        new CliTable("path", "label").AddRow("/photos/a\tb\nc.jpg", "[cat]").AddRow(@"C:\x.jpg", "").WriteTo(console);
        Assert.Equal(["path\tlabel", "/photos/a\\tb\\nc.jpg\t[cat]", @"C:\\x.jpg" + "\t", ""], written.ToString().Split(Environment.NewLine));
        Assert.Throws<ArgumentException>(() => new CliTable("one", "two").AddRow("only one"));
    }

    [SharedDataFact]
    public async Task A_bad_index_spec_fails_before_any_image_is_featurised()
    {
        string photos = LongPathPhotos();
        string collection = _temp.Combine("c");
        var result = await CliRunner.RunAsync("index", photos, "--collection", collection, "--model", TestData.ModelPath, "--index", "Ivf(list=4)");
        Assert.Equal(LookalikeCli.UserError, result.ExitCode);
        Assert.Contains("list", result.Error);
        Assert.DoesNotContain("Indexed", result.Output);
        var info = await CliRunner.RunAsync("info", "--collection", collection, "--json");
        if (info.ExitCode == 0)
        {
            using var json = JsonDocument.Parse(info.Output);
            Assert.Equal(0, json.RootElement.GetProperty("images").GetInt64());
        }
    }

    [Theory]
    [InlineData("search", "x.jpg", "-k", "0")]
    [InlineData("search", "x.jpg", "-k", "10001")]
    [InlineData("eval", "--db", "d", "--queries", "q", "-k", "20000")]
    [InlineData("sweep", "--db", "d", "--queries", "q", "--index", "Flat", "--out", "o", "-k", "0")]
    public async Task Every_verb_takes_k_in_one_range(params string[] args)
    {
        var result = await CliRunner.RunAsync(args);
        Assert.Equal(LookalikeCli.UsageError, result.ExitCode);
        Assert.Contains($"-k must be between 1 and {SearchOptions.MaxK}", result.Error);
    }

    [Fact]
    public void Distances_never_go_below_zero_nor_similarities_above_one()
    {
        var image = new ImageRecord(1, "/a.jpg", "0", null, 0, 0, 0, DateTimeOffset.UnixEpoch);
        var hit = new SearchHit(1, image, -0f, 1.0000001f);
        Assert.Equal("0.0000", hit.Distance.ToString("F4", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1f, hit.Similarity);
        Assert.Equal(0f, new SearchHit(1, image, -1e-7f, 0.5f).Distance);
        Assert.Equal(-1f, new SearchHit(1, image, 2.0000002f, -1.0000001f).Similarity);
        Assert.Equal(0.25f, new SearchHit(1, image, 0.25f, 0.75f).Distance);
    }

    public void Dispose() => _temp.Dispose();
}
