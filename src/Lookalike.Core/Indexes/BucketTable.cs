namespace Lookalike.Indexes;

/// <summary>
/// One hash table of an LSH index: bucket key → rows (int32 row numbers, not 64-bit ids or vectors;
/// the vectors live once in the <see cref="VectorStore"/>).
/// </summary>
public sealed class BucketTable
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

    /// <summary>Writes every bucket: key, size, rows.</summary>
    public void WriteTo(BinaryWriter writer)
    {
        writer.Write(_buckets.Count);
        foreach (var (key, rows) in _buckets)
        {
            writer.Write(key);
            writer.Write(rows.Count);
            foreach (int row in rows) writer.Write(row);
        }
    }

    /// <summary>Reads what <see cref="WriteTo"/> wrote; rows must be below <paramref name="rowCount"/>.</summary>
    public static BucketTable ReadFrom(BinaryReader reader, int rowCount)
    {
        var table = new BucketTable();
        int buckets = reader.ReadInt32();
        if (buckets < 0 || buckets > rowCount) throw new Errors.LookalikeException("Index file is damaged (bucket count).");
        for (int b = 0; b < buckets; b++)
        {
            ulong key = reader.ReadUInt64();
            int size = reader.ReadInt32();
            if (size < 1 || size > rowCount) throw new Errors.LookalikeException("Index file is damaged (bucket size).");
            var rows = new List<int>(size);
            for (int i = 0; i < size; i++)
            {
                int row = reader.ReadInt32();
                if ((uint)row >= (uint)rowCount) throw new Errors.LookalikeException("Index file is damaged (row number).");
                rows.Add(row);
            }
            table._buckets[key] = rows;
        }
        return table;
    }

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
