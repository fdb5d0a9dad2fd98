namespace Lookalike.Training.Hashing;

/// <summary>
/// Multi-probe for sign codes: the masks of bits to flip, most likely buckets first. Flipping bit j
/// costs |h_j| (how sure the network was); sets are generated best-first with the shift/expand
/// scheme of Lv et al. (2007).
/// </summary>
internal static class BitFlips
{
    public static IEnumerable<ulong> Sequence(ReadOnlySpan<float> soft, int count)
    {
        if (count <= 0) return [];
        var order = new (float Cost, int Bit)[soft.Length];
        for (int j = 0; j < soft.Length; j++) order[j] = (Math.Abs(soft[j]), j);
        Array.Sort(order, (a, b) => a.Cost != b.Cost ? a.Cost.CompareTo(b.Cost) : a.Bit.CompareTo(b.Bit));
        return Generate(order, count);
    }

    private static IEnumerable<ulong> Generate((float Cost, int Bit)[] order, int count)
    {
        var heap = new PriorityQueue<int[], double>();
        heap.Enqueue([0], order[0].Cost);
        int produced = 0;
        while (produced < count && heap.TryDequeue(out var set, out double cost))
        {
            int last = set[^1];
            if (last + 1 < order.Length)
            {
                heap.Enqueue([.. set[..^1], last + 1], cost - order[last].Cost + order[last + 1].Cost);
                heap.Enqueue([.. set, last + 1], cost + order[last + 1].Cost);
            }
            ulong mask = 0;
            foreach (int i in set) mask |= 1UL << order[i].Bit;
            produced++;
            yield return mask;
        }
    }
}
