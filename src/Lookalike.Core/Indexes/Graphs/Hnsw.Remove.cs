using Lookalike.Indexes.Graphs;

namespace Lookalike.Indexes;

public sealed partial class Hnsw
{
    /// <summary>
    /// Removes ids and repairs the graph: every node that linked to a removed one is re-linked,
    /// by the neighbour-selection heuristic, among its remaining links and the removed nodes'
    /// links (their two-hop neighbourhood), so no walk passes through removed vectors and no
    /// region is cut off. The entry point moves to a remaining node of the highest level.
    /// </summary>
    public override void Remove(ReadOnlySpan<long> ids)
    {
        var removed = Store.Remove(ids);
        if (removed.Count == 0) return;
        var gone = new HashSet<int>(removed);
        Parallel.For(0, Store.RowCount, () => Rent(), (row, _, scratch) =>
        {
            if (Store.IsRemoved(row)) return scratch;
            for (int layer = 0; layer <= _levelOf[row]; layer++)
            {
                if (LinksAny(row, layer, gone)) Relink(row, layer, gone, scratch);
            }
            return scratch;
        }, _scratch.Add);
        foreach (int row in removed)
        {
            for (int layer = 0; layer <= _levelOf[row]; layer++) Slot(row, layer)[0] = 0;
        }
        if (gone.Contains(_entry)) MoveEntryPoint();
    }

    private bool LinksAny(int row, int layer, HashSet<int> rows)
    {
        var slot = Slot(row, layer);
        for (int i = 1; i <= slot[0]; i++)
        {
            if (rows.Contains(slot[i])) return true;
        }
        return false;
    }

    private void Relink(int row, int layer, HashSet<int> gone, HnswScratch scratch)
    {
        var visited = scratch.Visited;
        visited.Clear(Store.RowCount);
        visited.Add(row);
        var distances = scratch.FoundDistances;
        var rows = scratch.FoundRows;
        distances.Clear();
        rows.Clear();
        var slot = Slot(row, layer);
        for (int i = 1; i <= slot[0]; i++)
        {
            int neighbour = slot[i];
            if (!gone.Contains(neighbour))
            {
                Consider(row, neighbour, visited, distances, rows);
                continue;
            }
            var second = Slot(neighbour, layer);
            for (int j = 1; j <= second[0]; j++)
            {
                if (!Store.IsRemoved(second[j])) Consider(row, second[j], visited, distances, rows);
            }
        }
        SelectNeighbours(distances, rows, MaxLinks(layer), scratch.Selected);
        // A repaired node keeps a full list (the nearest of the rest fill it up: hnswlib's keepPrunedConnections),
        // so that regions the removed nodes held together stay connected.
        for (int i = 0; i < rows.Count && scratch.Selected.Count < MaxLinks(layer); i++)
        {
            if (!scratch.Selected.Contains(rows[i])) scratch.Selected.Add(rows[i]);
        }
        scratch.Selected.CopyTo(scratch.Links);
        SetLinks(row, layer, scratch.Links.AsSpan(0, scratch.Selected.Count));
    }

    private void Consider(int row, int candidate, VisitedSet visited, List<float> distances, List<int> rows)
    {
        if (visited.Add(candidate) && !Store.IsRemoved(candidate)) AddSorted(distances, rows, Store.RankingDistanceBetween(row, candidate), candidate);
    }

    private void MoveEntryPoint()
    {
        (_entry, _top) = (-1, -1);
        for (int row = 0; row < Store.RowCount; row++)
        {
            if (!Store.IsRemoved(row) && _levelOf[row] > _top) (_entry, _top) = (row, _levelOf[row]);
        }
    }
}
