using System.CommandLine;
using Lookalike.Cli.Output;
using Lookalike.Evaluation.Reports;
using Lookalike.Evaluation.Statistics;
using Spectre.Console;

namespace Lookalike.Cli.Commands;

/// <summary><c>lookalike stats</c>: distance and similarity distributions of a set of features.</summary>
internal static class StatsCommand
{
    public static Command Create(CliContext context)
    {
        var source = new VectorSourceOptions("Vectors");
        var output = new Option<string?>("--out") { Description = "Folder for stats.json, stats.md and the histograms (PNG)." };
        var pairs = new Option<int>("--pairs") { Description = "Random pairs sampled.", DefaultValueFactory = _ => 20_000 };
        var html = new Option<bool>("--html") { Description = "Also write stats.html (tables and histograms on one page); needs --out." };
        var command = new Command("stats", "Euclidean distance and cosine similarity between random pairs, within classes and to the 10 nearest neighbours.")
        {
            output, pairs, html,
        };
        source.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var data = await source.LoadAsync(context, parse, cancellationToken);
            var report = await ConsoleProgress.RunAsync(context, "Measuring", p =>
                Task.Run(() => DistanceStatistics.Measure(data, parse.GetValue(pairs), progress: p), cancellationToken));
            context.Console.Profile.Out.Writer.WriteLine(StatisticsReportWriter.ToMarkdown(report));
            if (parse.GetValue(output) is { } folder)
            {
                var files = StatisticsReportWriter.Write(report, folder, parse.GetValue(html));
                context.Console.MarkupLine($"Wrote {files.Count} files to [bold]{Markup.Escape(Path.GetFullPath(folder))}[/].");
            }
            return 0;
        });
        return command;
    }
}
