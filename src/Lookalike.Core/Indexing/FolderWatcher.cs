namespace Lookalike.Indexing;

/// <summary>
/// Tells when a folder may have changed: a file system notification anywhere under it, once the changes have been quiet for
/// <c>settle</c> (a copy in progress is not read half-written), or every <c>rescanEvery</c> whatever the notifications said
/// (they can be lost: network folders, full inotify queues).
/// </summary>
public sealed class FolderWatcher : IDisposable
{
    private readonly FileSystemWatcher? _watcher;
    private readonly TimeSpan _rescanEvery;
    private readonly TimeSpan _settle;
    private readonly SemaphoreSlim _changed = new(0, 1);
    private long _lastChangeTicks;

    /// <summary>Starts watching <paramref name="folder"/> and its sub-folders.</summary>
    public FolderWatcher(string folder, TimeSpan rescanEvery, TimeSpan settle)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(rescanEvery, TimeSpan.Zero);
        (_rescanEvery, _settle) = (rescanEvery, settle);
        try
        {
            _watcher = new FileSystemWatcher(folder)
            {
                IncludeSubdirectories = true,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
            };
            _watcher.Created += (_, _) => Changed();
            _watcher.Changed += (_, _) => Changed();
            _watcher.Deleted += (_, _) => Changed();
            _watcher.Renamed += (_, _) => Changed();
            _watcher.Error += (_, _) => Changed();
            _watcher.EnableRaisingEvents = true;
        }
        catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException)
        {
            // No notifications here (e.g. the inotify watch limit): the periodic rescan still runs.
            _watcher?.Dispose();
            _watcher = null;
        }
    }

    /// <summary>Whether notifications arrive (else only the periodic rescan finds changes).</summary>
    public bool Notifies => _watcher is not null;

    /// <summary>Returns once something changed and then settled, or when the rescan interval has passed.</summary>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + _rescanEvery;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) return;
            if (!await _changed.WaitAsync(left, cancellationToken).ConfigureAwait(false)) return;
            // Quiet for the settle time since the last notification.
            while (true)
            {
                var quiet = new DateTime(Interlocked.Read(ref _lastChangeTicks), DateTimeKind.Utc) + _settle - DateTime.UtcNow;
                if (quiet <= TimeSpan.Zero) return;
                await Task.Delay(quiet, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private void Changed()
    {
        Interlocked.Exchange(ref _lastChangeTicks, DateTime.UtcNow.Ticks);
        if (_changed.CurrentCount == 0)
        {
            try
            {
                _changed.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already signalled.
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _watcher?.Dispose();
        _changed.Dispose();
    }
}
