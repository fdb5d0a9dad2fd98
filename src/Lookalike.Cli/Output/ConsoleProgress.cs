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
                    return await work(new BarReporter(task, stage));
                });
        }
        return await work(new LineReporter(context.Error, stage));
    }

    private static string Describe(string stage, ProgressUpdate update, TimeSpan elapsed)
    {
        double rate = elapsed.TotalSeconds > 0 ? update.Completed / elapsed.TotalSeconds : 0;
        string total = update.Total is { } t ? $"/{t}" : "";
        return string.Create(CultureInfo.InvariantCulture, $"{stage} {update.Completed}{total} · {rate:F1}/s");
    }

    private sealed class BarReporter(ProgressTask task, string stage) : IProgress<ProgressUpdate>
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly Lock _gate = new();

        public void Report(ProgressUpdate value)
        {
            lock (_gate)
            {
                if (value.Total is { } total) task.MaxValue = Math.Max(1, total);
                task.Value = value.Completed;
                task.Description = Describe(stage, value, _clock.Elapsed);
            }
        }
    }

    private sealed class LineReporter(TextWriter writer, string stage) : IProgress<ProgressUpdate>
    {
        private static readonly TimeSpan Every = TimeSpan.FromSeconds(5);
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly Lock _gate = new();
        private TimeSpan _last = TimeSpan.Zero;

        public void Report(ProgressUpdate value)
        {
            lock (_gate)
            {
                bool done = value.Total is { } total && value.Completed >= total;
                if (!done && _clock.Elapsed - _last < Every) return;
                _last = _clock.Elapsed;
                string eta = "";
                if (value.Total is { } t && value.Completed > 0 && !done)
                {
                    var remaining = TimeSpan.FromSeconds(_clock.Elapsed.TotalSeconds / value.Completed * (t - value.Completed));
                    eta = string.Create(CultureInfo.InvariantCulture, $", ETA {remaining:hh\\:mm\\:ss}");
                }
                writer.WriteLine($"{Describe(stage, value, _clock.Elapsed)}{eta}");
            }
        }
    }
}
