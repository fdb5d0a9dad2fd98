namespace Lookalike.Indexes;

/// <summary>
/// Collision counting for the hashing indexes (Gan, Feng, Fang &amp; Ng, "Locality-sensitive hashing
/// scheme based on dynamic collision counting", SIGMOD 2012): how many of one query's probed buckets
/// hold each row, so that a candidate budget is spent on the rows that collided most often rather
/// than on those found first. Counts are cleared in O(1) by a generation stamp; one instance per
/// thread, reused across queries.
/// </summary>
public sealed class CollisionCounter
{
    private int[] _stamps = [];
    private int[] _counts = [];
    private int _generation;
    private readonly List<int> _rows = [];
    private readonly List<int> _chosen = [];
    private int[] _histogram = [];

    /// <summary>Distinct rows counted since <see cref="Clear"/>.</summary>
    public int Count => _rows.Count;

    /// <summary>Forgets every count; the counter then covers rows 0..<paramref name="rows"/>−1.</summary>
    public void Clear(int rows)
    {
        if (_stamps.Length < rows)
        {
            int size = Math.Max(rows, _stamps.Length * 2);
            _stamps = new int[size];
            _counts = new int[size];
            _generation = 0;
        }
        if (++_generation == int.MaxValue)
        {
            Array.Clear(_stamps);
            _generation = 1;
        }
        _rows.Clear();
    }

    /// <summary>Counts one collision of each row of <paramref name="bucket"/>.</summary>
    public void Add(List<int>? bucket)
    {
        if (bucket is null) return;
        foreach (int row in bucket)
        {
            ref int stamp = ref _stamps[row];
            if (stamp != _generation)
            {
                stamp = _generation;
                _counts[row] = 1;
                _rows.Add(row);
            }
            else _counts[row]++;
        }
    }

    /// <summary>How many buckets held <paramref name="row"/> (0 when none did).</summary>
    public int CollisionsOf(int row) => _stamps.Length > row && _stamps[row] == _generation ? _counts[row] : 0;

    /// <summary>
    /// The <paramref name="budget"/> rows with the most collisions (all when fewer were counted), among
    /// equal counts those counted first, leaving out rows <paramref name="admits"/> refuses (a search
    /// filter: its budget goes to rows it may return); valid until the next call.
    /// </summary>
    public List<int> MostCollided(int budget, Predicate<int>? admits = null)
    {
        _chosen.Clear();
        if (admits is not null) _rows.RemoveAll(row => !admits(row));
        if (budget <= 0 || budget >= _rows.Count)
        {
            _chosen.AddRange(_rows);
            return _chosen;
        }
        int most = 0;
        foreach (int row in _rows) most = Math.Max(most, _counts[row]);
        if (_histogram.Length < most + 1) _histogram = new int[Math.Max(most + 1, _histogram.Length * 2)];
        Array.Clear(_histogram, 0, most + 1);
        foreach (int row in _rows) _histogram[_counts[row]]++;
        // The lowest count still taken: every row above it, then rows at it in the order counted.
        int threshold = most, above = 0;
        while (above + _histogram[threshold] < budget)
        {
            above += _histogram[threshold];
            threshold--;
        }
        int atThreshold = budget - above;
        foreach (int row in _rows)
        {
            int count = _counts[row];
            if (count > threshold) _chosen.Add(row);
            else if (count == threshold && atThreshold > 0)
            {
                _chosen.Add(row);
                atThreshold--;
            }
        }
        return _chosen;
    }
}
