namespace Lookalike.Duplicates;

/// <summary>Union–find over ids (path halving, union by size): the connected components of a graph given edge by edge.</summary>
/// <remarks>Not thread-safe.</remarks>
public sealed class DisjointSets
{
    private readonly Dictionary<long, long> _parent = [];
    private readonly Dictionary<long, int> _size = [];

    /// <summary>Puts <paramref name="a"/> and <paramref name="b"/> in one set.</summary>
    public void Union(long a, long b)
    {
        long ra = Find(a), rb = Find(b);
        if (ra == rb) return;
        if (_size[ra] < _size[rb]) (ra, rb) = (rb, ra);
        _parent[rb] = ra;
        _size[ra] += _size[rb];
    }

    /// <summary>The representative of <paramref name="id"/>'s set.</summary>
    public long Find(long id)
    {
        if (!_parent.TryGetValue(id, out long parent))
        {
            _parent[id] = id;
            _size[id] = 1;
            return id;
        }
        while (parent != id)
        {
            long grandparent = _parent[parent];
            _parent[id] = grandparent;
            id = parent;
            parent = grandparent;
        }
        return id;
    }

    /// <summary>Every set of two or more ids (ids in ascending order, sets by their smallest id).</summary>
    public IReadOnlyList<long[]> Sets() =>
    [
        .. _parent.Keys.GroupBy(Find).Where(g => g.Count() > 1).Select(g => g.Order().ToArray()).OrderBy(s => s[0]),
    ];
}
