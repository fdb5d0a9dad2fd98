using System.Diagnostics;
using System.Globalization;
using Lookalike.Progress;
using Spectre.Console;

namespace Lookalike.Cli.Output;

/// <summary>
/// Shows a long job's progress: a live bar (count, rate, ETA) on a terminal, or a plain line every
/// few seconds when output is redirected (logs, CI).
/// </summary>
internal static class ConsoleProgress
{
    public static async Task<T> RunAsync<T>(CliContext context, string stage, Func<IProgress<ProgressUpdate>, Task<T>> work)
    {
        if (context.Console.Profile.Capabilities.Interactive)
        {
            return await context.Console.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                    new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .StartAsync(async progress =>
                {
                    var task = progress.AddTask(stage, autoStart: true, maxValue: 1);
                    return await work(new BarReporter(task));
                });
        }
        return await work(new LineReporter(context.Error));
    }

    private static string Describe(ProgressUpdate update, TimeSpan elapsed)
    {
        // A rate over less than a second (e.g. the first report of a stage) says nothing.
        string rate = elapsed.TotalSeconds >= 1 ? string.Create(CultureInfo.InvariantCulture, $" · {update.Completed / elapsed.TotalSeconds:F1}/s") : "";
        string total = update.Total is { } t ? $"/{t}" : "";
        string detail = update.Detail is { Length: > 0 } d ? $" · {d}" : "";
        return string.Create(CultureInfo.InvariantCulture, $"{update.Stage} {update.Completed}{total}{rate}{detail}");
    }

    /// <summary>
    /// Time since the current stage began: one job may report several stages in turn (reading
    /// weights, converting; or one search pass per index), and each gets its own rate and ETA.
    /// </summary>
    private sealed class StageClock
    {
        private readonly Stopwatch _clock = new();
        private string? _stage;

        public TimeSpan Elapsed(string stage)
        {
            if (stage != _stage)
            {
                _stage = stage;
                _clock.Restart();
            }
            return _clock.Elapsed;
        }
    }

    private sealed class BarReporter(ProgressTask task) : IProgress<ProgressUpdate>
    {
        private readonly StageClock _clock = new();
        private readonly Lock _gate = new();

        public void Report(ProgressUpdate value)
        {
            lock (_gate)
            {
                if (value.Total is { } total) task.MaxValue = Math.Max(1, total);
                task.Value = value.Completed;
                task.Description = Describe(value, _clock.Elapsed(value.Stage));
            }
        }
    }

    private sealed class LineReporter(TextWriter writer) : IProgress<ProgressUpdate>
    {
        private static readonly TimeSpan Every = TimeSpan.FromSeconds(5);
        private readonly StageClock _clock = new();
        private readonly Stopwatch _sinceLine = Stopwatch.StartNew();
        private readonly Lock _gate = new();

        public void Report(ProgressUpdate value)
        {
            lock (_gate)
            {
                var elapsed = _clock.Elapsed(value.Stage);
                bool done = value.Total is { } total && value.Completed >= total;
                if (!done && _sinceLine.Elapsed < Every) return;
                _sinceLine.Restart();
                string eta = "";
                if (value.Total is { } t && value.Completed > 0 && !done)
                {
                    var remaining = TimeSpan.FromSeconds(elapsed.TotalSeconds / value.Completed * (t - value.Completed));
                    eta = string.Create(CultureInfo.InvariantCulture, $", ETA {remaining:hh\\:mm\\:ss}");
                }
                writer.WriteLine($"{Describe(value, elapsed)}{eta}");
            }
        }
    }
}
