using Lookalike.Indexes;

namespace Lookalike.Training.Hashing;

/// <summary>
/// Multi-probe for sign codes: the masks of bits to flip, most likely buckets first. Flipping bit j
/// costs |h_j| (how sure the network was); sets come cheapest first from <see cref="CheapestSubsets"/>.
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

    private static IEnumerable<ulong> Generate((float Cost, int Bit)[] order, int count) =>
        CheapestSubsets.InOrder([.. order.Select(o => (double)o.Cost)]).Take(count).Select(set =>
        {
            ulong mask = 0;
            foreach (int i in set) mask |= 1UL << order[i].Bit;
            return mask;
        });
}
