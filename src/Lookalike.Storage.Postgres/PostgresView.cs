using System.Globalization;

namespace Lookalike.Storage.Postgres;

/// <summary>
/// What part of a PostgreSQL collection a process loads: everything (the default), the records
/// without the vectors (a front end whose searches go to shards elsewhere), or one shard of it.
/// </summary>
/// <param name="HoldsVectors">Whether vectors are loaded (searches need them; records alone are enough to resolve hits).</param>
/// <param name="Shard">The shard loaded, or null for every image.</param>
public sealed record PostgresView(bool HoldsVectors = true, ShardOf? Shard = null)
{
    /// <summary>Every image with its vector.</summary>
    public static PostgresView Whole { get; } = new();

    /// <summary>Every image's record, no vectors.</summary>
    public static PostgresView RecordsOnly { get; } = new(HoldsVectors: false);

    /// <summary>One shard's images with their vectors.</summary>
    public static PostgresView OfShard(int shard, int shards) => new(Shard: new ShardOf(shard, shards));
}

/// <summary>
/// Shard <paramref name="Index"/> of <paramref name="Count"/>: the images whose id hashes to it
/// (PostgreSQL's <c>hashint8</c>, so that the database selects a shard's rows itself).
/// </summary>
public sealed record ShardOf(int Index, int Count)
{
    /// <summary>An SQL condition on the id column <paramref name="id"/> that holds for this shard's images.</summary>
    public string Condition(string id) => string.Create(CultureInfo.InvariantCulture,
        $"(abs(hashint8({id})::bigint) % {Count}) = {Index}");

    /// <summary>What a shard's index snapshot names carry after the index's own name.</summary>
    public string SnapshotSuffix => string.Create(CultureInfo.InvariantCulture, $"@shard{Index}of{Count}");

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"shard {Index} of {Count}");
}
