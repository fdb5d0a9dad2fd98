namespace Lookalike.Indexes;

/// <summary>
/// Keeps the k smallest (distance, id) pairs seen so far in a max-heap; ties are broken by the
/// smaller id so results are deterministic.
/// </summary>
public sealed class TopKCollector
{
    private readonly float[] _distances;
    private readonly long[] _ids;
    private int _count;

    public TopKCollector(int k)
    {
        _distances = new float[k];
        _ids = new long[k];
        _count = 0;
    }

    public void Offer(float distance, long id)
    {
        if (_count < _distances.Length)
        {
            int i = _count++;
            _distances[i] = distance;
            _ids[i] = id;
            SiftUp(i);
        }
        else if (Worse(_distances[0], _ids[0], distance, id))
        {
            _distances[0] = distance;
            _ids[0] = id;
            SiftDown(0, _count);
        }
    }

    /// <summary>Writes the kept pairs best first, padding with (+∞, −1).</summary>
    public void DrainSorted(Span<float> distances, Span<long> ids)
    {
        int n = _count;
        for (int end = n - 1; end > 0; end--)
        {
            Swap(0, end);
            SiftDown(0, end);
        }
        for (int i = 0; i < distances.Length; i++)
        {
            distances[i] = i < n ? _distances[i] : float.PositiveInfinity;
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
