namespace Lookalike.Cluster;

/// <summary>One result of a shard: an id, its distance and its cosine similarity to the query.</summary>
[GenerateSerializer, Immutable]
public sealed class ShardHit
{
    /// <summary>Image id.</summary>
    [Id(0)] public long Id { get; init; }

    /// <summary>Distance under the search's metric.</summary>
    [Id(1)] public float Distance { get; init; }

    /// <summary>Cosine similarity to the query (computed where the vector is).</summary>
    [Id(2)] public float Similarity { get; init; }
}

/// <summary>A shard's top k and what finding it cost.</summary>
[GenerateSerializer, Immutable]
public sealed class ShardAnswer
{
    /// <summary>The shard's best hits, best first.</summary>
    [Id(0)] public ShardHit[] Hits { get; init; } = [];

    /// <summary>Candidates the shard's index visited.</summary>
    [Id(1)] public long Visited { get; init; }

    /// <summary>Distances the shard's index computed.</summary>
    [Id(2)] public long Distances { get; init; }

    /// <summary>The index that answered (spec with every parameter).</summary>
    [Id(3)] public string Spec { get; init; } = "";
}

/// <summary>What a shard holds and where it runs.</summary>
[GenerateSerializer, Immutable]
public sealed class ShardStatus
{
    /// <summary>The shard's number.</summary>
    [Id(0)] public int Shard { get; init; }

    /// <summary>Live images in it.</summary>
    [Id(1)] public long Rows { get; init; }

    /// <summary>The indexes it has loaded or built.</summary>
    [Id(2)] public string[] Indexes { get; init; } = [];

    /// <summary>Bytes of its vectors in memory.</summary>
    [Id(3)] public long VectorBytes { get; init; }

    /// <summary>The silo it is active on.</summary>
    [Id(4)] public string Silo { get; init; } = "";

    /// <summary>The commit generation it has taken in.</summary>
    [Id(5)] public long Generation { get; init; }
}
