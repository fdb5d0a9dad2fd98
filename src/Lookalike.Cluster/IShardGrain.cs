namespace Lookalike.Cluster;

/// <summary>One shard of a sharded collection (key: the shard's number): its images' vectors and an ordinary index over them.</summary>
public interface IShardGrain : IGrainWithIntegerKey
{
    /// <summary>The shard's k nearest to <paramref name="query"/> under <paramref name="metric"/> (null: the collection's) with index <paramref name="spec"/> (null: the collection's).</summary>
    Task<ShardAnswer> SearchAsync(float[] query, int k, string? metric, string? spec);

    /// <summary>What it holds.</summary>
    Task<ShardStatus> StatusAsync();
}
