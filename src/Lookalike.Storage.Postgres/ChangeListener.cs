using Npgsql;

namespace Lookalike.Storage.Postgres;

/// <summary>
/// Listens on a collection's channel (LISTEN) on a connection of its own, so that a follower takes in
/// another process's commit as soon as it is announced instead of at its next poll; while it is not
/// listening (connection lost, reconnecting once a second) every check counts as a possible change.
/// </summary>
internal sealed class ChangeListener(NpgsqlDataSource data, string channel) : IAsyncDisposable
{
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private int _signalled = 1;
    private volatile bool _listening;
    private TaskCompletionSource _next = NewSignal();

    /// <summary>Starts listening in the background.</summary>
    public void Start() => _loop = Task.Run(ListenAsync);

    /// <summary>Whether a commit may have happened since the last call (always true while not listening).</summary>
    public bool TakeSignal() => Interlocked.Exchange(ref _signalled, 0) == 1 || !_listening;

    /// <summary>Waits for the next announcement, at most <paramref name="timeout"/>.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var next = Volatile.Read(ref _next); // before the flag: a signal in between completes it
        if (Volatile.Read(ref _signalled) == 1 || !_listening)
        {
            await Task.Delay(_listening ? TimeSpan.Zero : timeout, cancellationToken);
            return;
        }
        try
        {
            await next.Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            // Nothing announced: the caller looks anyway.
        }
    }

    private void Signal()
    {
        Volatile.Write(ref _signalled, 1);
        Interlocked.Exchange(ref _next, NewSignal()).TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task ListenAsync()
    {
        var stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = await data.OpenConnectionAsync(stop);
                connection.Notification += (_, _) => Signal();
                await using (var listen = new NpgsqlCommand($"LISTEN {PostgresSchema.Quote(channel)}", connection))
                    await listen.ExecuteNonQueryAsync(stop);
                _listening = true;
                Signal(); // commits made while not listening
                while (true) await connection.WaitAsync(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or IOException or System.Net.Sockets.SocketException or TimeoutException or InvalidOperationException)
            {
                _listening = false;
                try
                {
                    await Task.Delay(Retry, stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
