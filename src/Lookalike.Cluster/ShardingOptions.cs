namespace Lookalike.Cluster;

/// <summary>What every silo of a cluster agrees on: the collection it serves and how it is split.</summary>
public sealed class ShardingOptions
{
    /// <summary>The PostgreSQL location of the collection (also where membership is kept).</summary>
    public string Location { get; set; } = "";

    /// <summary>Number of shards (recorded in the collection by the first silo; the others must agree).</summary>
    public int Shards { get; set; } = 8;

    /// <summary>How long a query waits for a shard before asking again once, then failing.</summary>
    public TimeSpan ShardTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
