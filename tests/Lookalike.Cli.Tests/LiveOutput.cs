namespace Lookalike.Cli.Tests;

/// <summary>What a running command has printed so far: written by the command, read by the test at the same time.</summary>
public sealed class LiveOutput : StringWriter
{
    private readonly Lock _gate = new();

    /// <inheritdoc/>
    public override void Write(char value)
    {
        lock (_gate) base.Write(value);
    }

    /// <inheritdoc/>
    public override void Write(char[] buffer, int index, int count)
    {
        lock (_gate) base.Write(buffer, index, count);
    }

    /// <inheritdoc/>
    public override void Write(string? value)
    {
        lock (_gate) base.Write(value);
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        lock (_gate) return base.ToString();
    }

    /// <summary>Waits until the output holds <paramref name="text"/>; false when <paramref name="running"/> ends first or the time is up.</summary>
    public async Task<bool> WaitForAsync(string text, Task running, TimeSpan timeout)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!ToString().Contains(text, StringComparison.Ordinal))
        {
            if (running.IsCompleted || clock.Elapsed > timeout) return false;
            await Task.Delay(100);
        }
        return true;
    }
}
