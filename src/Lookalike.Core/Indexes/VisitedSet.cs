namespace Lookalike.Indexes;

/// <summary>
/// Which rows one walk or bucket scan has seen, cleared in O(1): a stamp per row and the current walk's
/// generation (hnswlib's VisitedList). One instance per thread, reused across queries.
/// </summary>
public sealed class VisitedSet
{
    private int[] _stamps = [];
    private int _generation;

    /// <summary>Rows marked since <see cref="Clear"/>.</summary>
    public int Count { get; private set; }

    /// <summary>Forgets every mark; the set then covers rows 0..<paramref name="rows"/>−1.</summary>
    public void Clear(int rows)
    {
        if (_stamps.Length < rows)
        {
            _stamps = new int[Math.Max(rows, _stamps.Length * 2)];
            _generation = 0;
        }
        if (++_generation == int.MaxValue)
        {
            Array.Clear(_stamps);
            _generation = 1;
        }
        Count = 0;
    }

    /// <summary>Marks <paramref name="row"/>; false when it was marked already.</summary>
    public bool Add(int row)
    {
        ref int stamp = ref _stamps[row];
        if (stamp == _generation) return false;
        stamp = _generation;
        Count++;
        return true;
    }
}
