namespace Lookalike.Indexes;

/// <summary>
/// Multi-probe for <see cref="CrossPolytopeLsh"/> in the order of FALCONN's probing sequence: a
/// function's other vertices are scored by their gap to the nearest one (max |yᵢ| − σ·yᵢ on the
/// rotated query), a perturbation of a table's code changes some of its functions and costs the sum
/// of their gaps, and the buckets of all tables are visited cheapest first (a heap per table over
/// its functions' choices, merged over tables).
/// </summary>
internal static class CrossPolytopeProbing
{
    /// <summary>One probed bucket: the table and the (function, vertex) changes to its code.</summary>
    public readonly record struct Probe(int Table, (int Function, int Vertex)[] Changes);

    /// <summary>The <paramref name="count"/> vertices of <paramref name="rotated"/> nearest after its nearest one, with their gaps, ascending.</summary>
    public static (double Gap, int Vertex)[] Alternatives(ReadOnlySpan<float> rotated, int count)
    {
        int nearest = CrossPolytopeHash.Vertex(rotated);
        float max = MathF.Abs(rotated[nearest / 2]);
        var best = new List<(double Gap, int Vertex)>(count + 1);
        for (int i = 0; i < rotated.Length; i++)
        {
            for (int sign = 0; sign < 2; sign++)
            {
                int vertex = (2 * i) + sign;
                if (vertex == nearest) continue;
                double gap = max - (sign == 0 ? rotated[i] : -rotated[i]);
                if (best.Count == count && gap >= best[^1].Gap) continue;
                int at = best.Count;
                while (at > 0 && best[at - 1].Gap > gap) at--;
                best.Insert(at, (gap, vertex));
                if (best.Count > count) best.RemoveAt(count);
            }
        }
        return [.. best];
    }

    /// <summary>
    /// A table's perturbations by increasing cost: each function keeps its vertex or takes one of its
    /// alternatives (choice 0 or 1.. of <paramref name="alternatives"/>[function]). Choice vectors are
    /// generated from the all-zero one by raising one function's choice at a time, at or after the last
    /// function raised, so each vector comes once and its successors never cost less.
    /// </summary>
    public static IEnumerable<(double Cost, (int Function, int Vertex)[] Changes)> Sequence(IReadOnlyList<(double Gap, int Vertex)[]> alternatives)
    {
        int k = alternatives.Count;
        var heap = new PriorityQueue<(int[] Choices, int Pivot), double>();
        void Successors(int[] choices, int pivot, double cost)
        {
            for (int j = pivot; j < k; j++)
            {
                int c = choices[j];
                if (c >= alternatives[j].Length) continue;
                var next = (int[])choices.Clone();
                next[j] = c + 1;
                heap.Enqueue((next, j), cost - (c == 0 ? 0 : alternatives[j][c - 1].Gap) + alternatives[j][c].Gap);
            }
        }
        Successors(new int[k], 0, 0);
        while (heap.TryDequeue(out var item, out double cost))
        {
            Successors(item.Choices, item.Pivot, cost);
            var changes = new List<(int, int)>(k);
            for (int j = 0; j < k; j++)
            {
                if (item.Choices[j] > 0) changes.Add((j, alternatives[j][item.Choices[j] - 1].Vertex));
            }
            yield return (cost, [.. changes]);
        }
    }

    /// <summary>The <paramref name="count"/> cheapest probes over all tables.</summary>
    public static IEnumerable<Probe> Merge(IReadOnlyList<IEnumerable<(double Cost, (int Function, int Vertex)[] Changes)>> tables, int count)
    {
        var heads = new PriorityQueue<(int Table, IEnumerator<(double Cost, (int, int)[] Changes)> Remaining, (int, int)[] Changes), (double, int)>();
        for (int t = 0; t < tables.Count; t++)
        {
            var remaining = tables[t].GetEnumerator();
            if (remaining.MoveNext()) heads.Enqueue((t, remaining, remaining.Current.Changes), (remaining.Current.Cost, t));
        }
        for (int produced = 0; produced < count && heads.TryDequeue(out var head, out _); produced++)
        {
            yield return new Probe(head.Table, head.Changes);
            if (head.Remaining.MoveNext()) heads.Enqueue((head.Table, head.Remaining, head.Remaining.Current.Changes), (head.Remaining.Current.Cost, head.Table));
        }
    }
}
