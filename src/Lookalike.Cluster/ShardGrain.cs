using Lookalike.Collections;
using Lookalike.Indexes;
using Lookalike.Storage.Postgres;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Lookalike.Cluster;

/// <summary>
/// A shard: on activation it loads its images' vectors from PostgreSQL (the images whose id hashes to it)
/// and the snapshot of its index, or builds the index and stores it as its snapshot; it follows the
/// collection's commits twice a second. Searches run concurrently, off the grain's turn.
/// </summary>
/// <remarks>
/// Shards spread over the silos: shard i belongs on the (i mod n)-th of the n active silos (ordered by
/// address). A shard elsewhere — activated before other silos joined, or moved by a failure — migrates
/// there once membership has been stable for a few seconds (its next activation loads from PostgreSQL).
/// </remarks>
[Reentrant]
[CollectionAgeLimit(AlwaysActive = true)]
internal sealed partial class ShardGrain(IOptions<ShardingOptions> options, IndexRegistry indexes, ILocalSiloDetails silo,
    IClusterMembershipService membership, ILogger<ShardGrain> logger) : Grain, IShardGrain
{
    private static readonly TimeSpan FollowEvery = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan BalanceEvery = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan StableFor = TimeSpan.FromSeconds(4);
    private PostgresCollection? _shard;
    private (MembershipVersion Version, DateTime Since) _membershipSeen;

    private PostgresCollection Shard => _shard ?? throw new InvalidOperationException("The shard is not loaded.");

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        int index = (int)this.GetPrimaryKeyLong();
        var settings = options.Value;
        _shard = await new PostgresCollectionProvider(indexes).OpenViewAsync(settings.Location, PostgresView.OfShard(index, settings.Shards),
            cancellationToken: cancellationToken);
        LogLoaded(logger, index, settings.Shards, _shard.Count, silo.SiloAddress.ToString());
        this.RegisterGrainTimer(FollowAsync, new GrainTimerCreationOptions(FollowEvery, FollowEvery) { Interleave = true, KeepAlive = true });
        this.RegisterGrainTimer(Balance, new GrainTimerCreationOptions(BalanceEvery, BalanceEvery) { KeepAlive = true });
    }

    /// <summary>Migrates to the silo this shard belongs on, once membership has settled.</summary>
    private Task Balance()
    {
        var snapshot = membership.CurrentSnapshot;
        if (snapshot.Version != _membershipSeen.Version) _membershipSeen = (snapshot.Version, DateTime.UtcNow);
        if (DateTime.UtcNow - _membershipSeen.Since < StableFor) return Task.CompletedTask;
        var active = snapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress)
            .OrderBy(a => a.ToParsableString(), StringComparer.Ordinal).ToList();
        if (active.Count < 2) return Task.CompletedTask;
        var home = active[(int)(this.GetPrimaryKeyLong() % active.Count)];
        if (home.Equals(silo.SiloAddress)) return Task.CompletedTask;
        LogMoving(logger, (int)this.GetPrimaryKeyLong(), home.ToString());
        RequestContext.Set(Orleans.Runtime.Placement.IPlacementDirector.PlacementHintKey, home);
        this.MigrateOnIdle();
        return Task.CompletedTask;
    }

    private async Task FollowAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Run(Shard.Refresh, cancellationToken);
        }
        catch (Errors.LookalikeException e)
        {
            LogFollowFailed(logger, (int)this.GetPrimaryKeyLong(), e.Message);
        }
    }

    public async Task<ShardAnswer> SearchAsync(float[] query, int k, string? metric, string? spec)
    {
        var shard = Shard;
        var response = await Task.Run(() => shard.SearchAsync(query,
            new SearchOptions(k, metric is null ? null : DistanceMetrics.Parse(metric), spec)).AsTask());
        return new ShardAnswer
        {
            Hits = [.. response.Hits.Select(h => new ShardHit { Id = h.Image.Id, Distance = h.Distance, Similarity = h.Similarity })],
            Visited = response.Stats.CandidatesVisited,
            Distances = response.Stats.DistancesComputed,
            Spec = response.IndexSpec,
        };
    }

    public Task<ShardStatus> StatusAsync() => Task.FromResult(new ShardStatus
    {
        Shard = (int)this.GetPrimaryKeyLong(),
        Rows = Shard.Count,
        Indexes = [.. Shard.LoadedIndexSpecs],
        VectorBytes = Shard.VectorBytesInMemory,
        Silo = silo.SiloAddress.ToString(),
        Generation = Shard.Generation,
    });

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_shard is not null) await _shard.DisposeAsync();
        _shard = null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Shard {Shard} of {Shards} loaded: {Rows} images, on {Silo}")]
    private static partial void LogLoaded(ILogger logger, int shard, int shards, long rows, string silo);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shard {Shard} moves to {Silo}, where it belongs")]
    private static partial void LogMoving(ILogger logger, int shard, string silo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shard {Shard} could not take in the latest commit yet: {Reason}")]
    private static partial void LogFollowFailed(ILogger logger, int shard, string reason);
}
