namespace Lookalike.Indexes;

/// <summary>
/// Keeps the k smallest (distance, id) pairs seen so far in a max-heap; ties are broken by the
/// smaller id so results are deterministic. With a <see cref="SearchFilter"/>, ids it does not
/// allow are never kept (the filter is asked only for pairs that would enter the heap).
/// </summary>
public sealed class TopKCollector
{
    private readonly float[] _distances;
    private readonly long[] _ids;
    private readonly SearchFilter? _filter;
    private int _count;

    /// <summary>Creates an empty collector of the <paramref name="k"/> best pairs.</summary>
    public TopKCollector(int k, SearchFilter? filter = null)
    {
        _distances = new float[k];
        _ids = new long[k];
        _filter = filter;
        _count = 0;
    }

    /// <summary>Pairs kept.</summary>
    public int Count => _count;

    /// <summary>How many pairs are kept at most.</summary>
    public int Capacity => _distances.Length;

    /// <summary>A pair must be nearer than this to be kept (+∞ until k pairs are kept).</summary>
    public float Threshold => _count < _distances.Length ? float.PositiveInfinity : _distances[0];

    /// <summary>Whether a search filter restricts the ids kept.</summary>
    public bool Filters => _filter is not null;

    /// <summary>Whether <paramref name="id"/> may be kept (always without a filter).</summary>
    public bool Admits(long id) => _filter is null || _filter.Allows(id);

    /// <summary>Offers a pair; returns whether it was kept.</summary>
    public bool Offer(float distance, long id)
    {
        if (_count == _distances.Length && !Worse(_distances[0], _ids[0], distance, id)) return false;
        if (!Admits(id)) return false;
        if (_count < _distances.Length)
        {
            int i = _count++;
            _distances[i] = distance;
            _ids[i] = id;
            SiftUp(i);
        }
        else
        {
            _distances[0] = distance;
            _ids[0] = id;
            SiftDown(0, _count);
        }
        return true;
    }

    /// <summary>Offers every pair kept here to <paramref name="target"/> and empties this collector.</summary>
    public void MoveTo(TopKCollector target)
    {
        for (int i = 0; i < _count; i++) target.Offer(_distances[i], _ids[i]);
        _count = 0;
    }

    /// <summary>Writes the kept pairs best first, padding with (+∞, −1), and empties the collector.</summary>
    /// <param name="distances">k distances out.</param>
    /// <param name="ids">k ids out.</param>
    /// <param name="squareRoot">Report √distance (indexes rank L2 by squared distance).</param>
    public void DrainSorted(Span<float> distances, Span<long> ids, bool squareRoot = false)
    {
        int n = _count;
        for (int end = n - 1; end > 0; end--)
        {
            Swap(0, end);
            SiftDown(0, end);
        }
        for (int i = 0; i < distances.Length; i++)
        {
            distances[i] = i >= n ? float.PositiveInfinity : squareRoot ? MathF.Sqrt(Math.Max(0, _distances[i])) : _distances[i];
            ids[i] = i < n ? _ids[i] : -1;
        }
        _count = 0;
    }

    /// <summary>Whether (d1, id1) ranks after (d2, id2).</summary>
    private static bool Worse(float d1, long id1, float d2, long id2) => d1 > d2 || (d1 == d2 && id1 > id2);

    private void SiftUp(int i)
    {
        while (i > 0)
        {
            int parent = (i - 1) / 2;
            if (!Worse(_distances[i], _ids[i], _distances[parent], _ids[parent])) return;
            Swap(i, parent);
            i = parent;
        }
    }

    private void SiftDown(int i, int size)
    {
        while (true)
        {
            int left = (2 * i) + 1, right = left + 1, worst = i;
            if (left < size && Worse(_distances[left], _ids[left], _distances[worst], _ids[worst])) worst = left;
            if (right < size && Worse(_distances[right], _ids[right], _distances[worst], _ids[worst])) worst = right;
            if (worst == i) return;
            Swap(i, worst);
            i = worst;
        }
    }

    private void Swap(int a, int b)
    {
        (_distances[a], _distances[b]) = (_distances[b], _distances[a]);
        (_ids[a], _ids[b]) = (_ids[b], _ids[a]);
    }
}
