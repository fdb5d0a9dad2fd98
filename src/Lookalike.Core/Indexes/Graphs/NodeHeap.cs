namespace Lookalike.Indexes.Graphs;

/// <summary>
/// A binary heap of (distance, row) pairs, nearest on top or farthest on top, reused across
/// queries without allocating (the candidate and result sets of a graph walk).
/// </summary>
public sealed class NodeHeap(bool farthestOnTop)
{
    private float[] _keys = new float[64];
    private int[] _rows = new int[64];

    /// <summary>Pairs held.</summary>
    public int Count { get; private set; }

    /// <summary>Distance of the top pair.</summary>
    public float TopDistance => farthestOnTop ? -_keys[0] : _keys[0];

    /// <summary>Row of the top pair.</summary>
    public int TopRow => _rows[0];

    /// <summary>Empties the heap.</summary>
    public void Clear() => Count = 0;

    /// <summary>Adds a pair.</summary>
    public void Push(float distance, int row)
    {
        if (Count == _keys.Length)
        {
            Array.Resize(ref _keys, Count * 2);
            Array.Resize(ref _rows, Count * 2);
        }
        float key = farthestOnTop ? -distance : distance;
        int i = Count++;
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (_keys[parent] <= key) break;
            _keys[i] = _keys[parent];
            _rows[i] = _rows[parent];
            i = parent;
        }
        _keys[i] = key;
        _rows[i] = row;
    }

    /// <summary>Removes the top pair.</summary>
    public void Pop()
    {
        int last = --Count;
        if (last == 0) return;
        float key = _keys[last];
        int row = _rows[last];
        int i = 0;
        while (true)
        {
            int child = (2 * i) + 1;
            if (child >= last) break;
            if (child + 1 < last && _keys[child + 1] < _keys[child]) child++;
            if (_keys[child] >= key) break;
            _keys[i] = _keys[child];
            _rows[i] = _rows[child];
            i = child;
        }
        _keys[i] = key;
        _rows[i] = row;
    }

    /// <summary>
    /// Moves the pairs into <paramref name="distances"/> and <paramref name="rows"/> nearest first
    /// (ties by row) and empties the heap; returns how many.
    /// </summary>
    public int DrainNearestFirst(List<float> distances, List<int> rows)
    {
        distances.Clear();
        rows.Clear();
        while (Count > 0)
        {
            distances.Add(TopDistance);
            rows.Add(TopRow);
            Pop();
        }
        if (farthestOnTop)
        {
            distances.Reverse();
            rows.Reverse();
        }
        return rows.Count;
    }
}
