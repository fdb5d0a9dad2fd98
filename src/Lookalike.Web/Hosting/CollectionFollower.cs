using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Lookalike.Web.Hosting;

/// <summary>
/// Keeps a server up to date with commits made by other processes (<c>lookalike index</c> into the
/// same folder, other servers of a shared database): the collection is looked at twice a second, or
/// as soon as its store announces a commit, so new images are searchable and servable within a
/// second of their commit. (An embedded collection's writer makes every commit itself and has nothing to take in.)
/// </summary>
internal sealed partial class CollectionFollower(CollectionHost host, ILogger<CollectionFollower> logger) : BackgroundService
{
    /// <summary>How often the collection's manifest is looked at.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await host.Collection.WaitForChangeAsync(Interval, stoppingToken);
            try
            {
                if (host.FollowCommits()) LogCommit(logger, host.Collection.Count);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A commit being written can be read half-way; the next tick reads it whole.
                LogFollowFailed(logger, e.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Took in a new commit of the collection: {Count} images")]
    private static partial void LogCommit(ILogger logger, long count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the collection's latest commit yet: {Reason}")]
    private static partial void LogFollowFailed(ILogger logger, string reason);
}
