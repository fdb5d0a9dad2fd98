namespace Lookalike.Indexes;

/// <summary>
/// One hash table of an LSH index: bucket key → rows (int32 row numbers, not 64-bit ids or vectors;
/// the vectors live once in the <see cref="VectorStore"/>).
/// </summary>
internal sealed class BucketTable
{
    private readonly Dictionary<ulong, List<int>> _buckets = [];

    public int BucketCount => _buckets.Count;

    public void Add(ulong key, int row)
    {
        if (!_buckets.TryGetValue(key, out var rows)) _buckets[key] = rows = new List<int>(2);
        rows.Add(row);
    }

    public void Remove(ulong key, int row)
    {
        if (!_buckets.TryGetValue(key, out var rows)) return;
        rows.Remove(row);
        if (rows.Count == 0) _buckets.Remove(key);
    }

    public List<int>? Get(ulong key) => _buckets.GetValueOrDefault(key);

    public void Clear() => _buckets.Clear();

    /// <summary>Sizes of the non-empty buckets.</summary>
    public IReadOnlyList<int> Sizes() => [.. _buckets.Values.Select(b => b.Count)];

    /// <summary>Mixes a sequence of small integers into a 64-bit bucket key (splitmix64 finaliser).</summary>
    public static ulong Key(ReadOnlySpan<int> code)
    {
        ulong h = 0x9E3779B97F4A7C15UL;
        foreach (int v in code)
        {
            h = (h ^ (uint)v) * 0xBF58476D1CE4E5B9UL;
            h ^= h >> 31;
        }
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDUL;
        return h ^ (h >> 33);
    }
}
