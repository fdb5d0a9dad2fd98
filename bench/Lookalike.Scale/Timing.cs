using System.Diagnostics;

namespace Lookalike.Scale;

/// <summary>Latencies of a series of calls: throughput and percentiles.</summary>
internal sealed record Timing(int Calls, TimeSpan Total, double P50Ms, double P99Ms)
{
    public double PerSecond => Calls / Total.TotalSeconds;

    /// <summary>Runs <paramref name="call"/> for each of <paramref name="count"/> items on <paramref name="concurrency"/> callers.</summary>
    public static async Task<Timing> MeasureAsync(int count, int concurrency, Func<int, Task> call)
    {
        var latencies = new double[count];
        int next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                long start = Stopwatch.GetTimestamp();
                await call(i);
                latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        })));
        var total = clock.Elapsed;
        Array.Sort(latencies);
        return new Timing(count, total, latencies[count / 2], latencies[Math.Min(count - 1, (int)Math.Ceiling(count * 0.99) - 1)]);
    }
}
