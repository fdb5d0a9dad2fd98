using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Lookalike.Indexes.Graphs;

namespace Lookalike.Indexes;

/// <summary>HNSW search knobs.</summary>
public sealed class HnswSearchParameters : SearchParameters
{
    /// <summary>Candidates kept during the walk of the bottom layer (≥ k); null keeps the index's own setting.</summary>
    public int? EfSearch { get; init; }
}

/// <summary>
/// Hierarchical navigable small-world graph — Malkov &amp; Yashunin, "Efficient and robust approximate
/// nearest neighbor search using Hierarchical Navigable Small World graphs", TPAMI 2018. Each vector
/// gets a level drawn from an exponential distribution (mL = 1/ln M) and is linked, on every layer up
/// to its level, to M neighbours chosen by the paper's heuristic (a candidate is kept only if it is
/// nearer to the new vector than to every neighbour kept so far); a node's list is pruned the same
/// way when it outgrows M (2M on layer 0). A query walks greedily down from the top layer's entry
/// point, then runs a best-first search with <see cref="HnswOptions.EfSearch"/> candidates on layer 0.
/// </summary>
/// <remarks>
/// Links live in flat int arrays (layer 0: one fixed-size slot per row, as hnswlib's); walks reuse
/// per-thread scratch (visited stamps, heaps), so a search allocates nothing per query. Big batches
/// are inserted in parallel on all cores with a lock per node (the graph then depends on thread
/// timing, as hnswlib's does); smaller ones in order, reproducibly. Removed vectors are unlinked and
/// their neighbours re-linked among each other (<see cref="Remove"/>). Concurrent searches are safe;
/// <see cref="Add"/> and <see cref="Remove"/> need exclusive access.
/// </remarks>
public sealed partial class Hnsw : StoredVectorIndex
{
    /// <summary>The type name in specs and serialized files.</summary>
    public const string TypeName = "Hnsw";

    /// <summary>Batches of at least this many vectors are inserted in parallel.</summary>
    public const int ParallelBatch = 1000;

    private const int MaxLevel = 32;
    private const int Stripes = 1024;

    private readonly Random _levels;
    private readonly ConcurrentBag<HnswScratch> _scratch = [];
    private readonly object[] _stripes = [.. Enumerable.Range(0, Stripes).Select(_ => new object())];
    private readonly object _entryLock = new();
    private int[] _levelOf = [];
    private int[] _base = [];
    private int[]?[] _upper = [];
    private int _entry = -1;
    private int _top = -1;
    private bool _locking;

    /// <summary>Creates an empty index.</summary>
    public Hnsw(int dimension, DistanceMetric metric, HnswOptions options, IVectorSource? vectors = null)
        : this(new VectorStore(dimension, metric, vectors), options)
    {
    }

    private Hnsw(VectorStore store, HnswOptions options) : base(store)
    {
        options.Validate();
        Options = options;
        _levels = new Random(options.Seed);
    }

    /// <summary>The parameters.</summary>
    public HnswOptions Options { get; }

    /// <inheritdoc/>
    public override string Spec => Options.ToSpec();

    /// <summary>Highest layer in the graph (−1 when empty).</summary>
    public int TopLayer => _top;

    private int M => Options.M;

    private int BaseStride => (2 * M) + 1;

    private int UpperStride => M + 1;

    private int MaxLinks(int layer) => layer == 0 ? 2 * M : M;

    /// <inheritdoc/>
    public override void Add(ReadOnlySpan<float> vectors, ReadOnlySpan<long> ids)
    {
        int first = Store.Add(vectors, ids);
        int total = Store.RowCount;
        Grow(total);
        double scale = 1 / Math.Log(M);
        for (int row = first; row < total; row++)
        {
            int level = Math.Min(MaxLevel, (int)Math.Floor(-Math.Log(1 - _levels.NextDouble()) * scale));
            _levelOf[row] = level;
            _upper[row] = level > 0 ? new int[level * UpperStride] : null;
        }
        int start = first;
        if (_entry < 0 && start < total)
        {
            (_entry, _top) = (start, _levelOf[start]);
            start++;
        }
        if (total - start >= ParallelBatch && Environment.ProcessorCount > 1)
        {
            _locking = true;
            try
            {
                Parallel.For(start, total, Insert);
            }
            finally
            {
                _locking = false;
            }
        }
        else
        {
            for (int row = start; row < total; row++) Insert(row);
        }
    }

    private void Grow(int rows)
    {
        if (_levelOf.Length >= rows) return;
        int capacity = Math.Max(rows, Math.Max(16, _levelOf.Length * 2));
        Array.Resize(ref _levelOf, capacity);
        Array.Resize(ref _upper, capacity);
        Array.Resize(ref _base, capacity * BaseStride);
    }

    /// <summary>Links row <paramref name="row"/> (level drawn already) into the graph.</summary>
    private void Insert(int row)
    {
        var scratch = Rent();
        try
        {
            int level = _levelOf[row];
            var vector = Store.Row(row, scratch.Vector);
            int entry, top;
            lock (_entryLock) (entry, top) = (_entry, _top);
            float distance = Store.RankingDistance(vector, entry);
            long computed = 0;
            for (int layer = top; layer > level; layer--) (entry, distance) = Greedy(vector, entry, distance, layer, scratch, ref computed);
            var chosen = scratch.Chosen;
            chosen.Clear();
            for (int layer = Math.Min(level, top); layer >= 0; layer--)
            {
                SearchLayer(vector, entry, distance, Options.EfConstruction, layer, scratch, null, ref computed);
                scratch.Results.DrainNearestFirst(scratch.FoundDistances, scratch.FoundRows);
                SelectNeighbours(scratch.FoundDistances, scratch.FoundRows, M, scratch.Selected);
                (entry, distance) = (scratch.FoundRows[0], scratch.FoundDistances[0]);
                chosen.Add(scratch.Selected.Count);
                chosen.AddRange(scratch.Selected);
                lock (Stripe(row)) SetLinks(row, layer, CollectionsMarshal.AsSpan(chosen)[^scratch.Selected.Count..]);
            }
            // Linked back only now, with its own links set on every layer: a parallel insertion that reaches the row finds
            // them (linking back layer by layer let another insertion stop at a row whose lower layers were still empty, and
            // lose its own link when that layer's list was then written). In order, the graph is the same either way.
            // Linking back may prune a neighbour's list, which reuses the scratch lists.
            for (int layer = Math.Min(level, top), at = 0; layer >= 0; layer--)
            {
                int count = chosen[at++];
                for (int end = at + count; at < end; at++) Link(chosen[at], row, layer, scratch);
            }
            if (level > top)
            {
                lock (_entryLock)
                {
                    if (level > _top) (_entry, _top) = (row, level);
                }
            }
        }
        finally
        {
            _scratch.Add(scratch);
        }
    }

    /// <summary>Adds <paramref name="row"/> to <paramref name="node"/>'s links, pruning them with the heuristic when full.</summary>
    private void Link(int node, int row, int layer, HnswScratch scratch)
    {
        lock (Stripe(node))
        {
            var slot = Slot(node, layer);
            int count = slot[0];
            if (count < MaxLinks(layer))
            {
                slot[1 + count] = row;
                slot[0] = count + 1;
                return;
            }
            var distances = scratch.FoundDistances;
            var rows = scratch.FoundRows;
            distances.Clear();
            rows.Clear();
            for (int i = 1; i <= count; i++) AddSorted(distances, rows, Store.RankingDistanceBetween(node, slot[i]), slot[i]);
            AddSorted(distances, rows, Store.RankingDistanceBetween(node, row), row);
            SelectNeighbours(distances, rows, MaxLinks(layer), scratch.Selected);
            scratch.Selected.CopyTo(scratch.Links);
            SetLinks(node, layer, scratch.Links.AsSpan(0, scratch.Selected.Count));
        }
    }

    private static void AddSorted(List<float> distances, List<int> rows, float distance, int row)
    {
        int i = distances.Count;
        while (i > 0 && (distances[i - 1] > distance || (distances[i - 1] == distance && rows[i - 1] > row))) i--;
        distances.Insert(i, distance);
        rows.Insert(i, row);
    }

    /// <summary>
    /// The heuristic of the paper (Algorithm 4, hnswlib's getNeighborsByHeuristic2): candidates
    /// nearest first, each kept only if it is nearer to the base than to every one kept already.
    /// </summary>
    private void SelectNeighbours(List<float> distances, List<int> rows, int count, List<int> selected)
    {
        selected.Clear();
        for (int i = 0; i < rows.Count && selected.Count < count; i++)
        {
            int candidate = rows[i];
            bool diverse = true;
            foreach (int kept in selected)
            {
                if (Store.RankingDistanceBetween(kept, candidate) < distances[i])
                {
                    diverse = false;
                    break;
                }
            }
            if (diverse) selected.Add(candidate);
        }
    }

    private object Stripe(int row) => _stripes[row & (Stripes - 1)];

    /// <summary>The link slot of a row on a layer: [count, neighbour rows…].</summary>
    private Span<int> Slot(int row, int layer) => layer == 0
        ? _base.AsSpan(row * BaseStride, BaseStride)
        : _upper[row].AsSpan((layer - 1) * UpperStride, UpperStride);

    private void SetLinks(int row, int layer, ReadOnlySpan<int> links)
    {
        var slot = Slot(row, layer);
        slot[0] = links.Length;
        links.CopyTo(slot[1..]);
    }

    /// <summary>
    /// A node's links: the slot itself, or while the graph is built in parallel a copy taken under
    /// the node's lock (into the scratch's buffer).
    /// </summary>
    private ReadOnlySpan<int> Neighbours(int row, int layer, HnswScratch scratch)
    {
        if (!_locking)
        {
            var slot = Slot(row, layer);
            return slot.Slice(1, slot[0]);
        }
        lock (Stripe(row))
        {
            var slot = Slot(row, layer);
            int count = slot[0];
            slot.Slice(1, count).CopyTo(scratch.Links);
            return scratch.Links.AsSpan(0, count);
        }
    }

    private HnswScratch Rent() => _scratch.TryTake(out var scratch) ? scratch : new HnswScratch(Dimension, 2 * M);

    private (int Row, float Distance) Greedy(ReadOnlySpan<float> query, int current, float distance, int layer, HnswScratch scratch,
        ref long computed)
    {
        for (bool moved = true; moved;)
        {
            moved = false;
            foreach (int neighbour in Neighbours(current, layer, scratch))
            {
                float d = Store.RankingDistance(query, neighbour);
                computed++;
                if (d < distance)
                {
                    (current, distance, moved) = (neighbour, d, true);
                }
            }
        }
        return (current, distance);
    }

    /// <summary>
    /// Best-first search of one layer from one entry (hnswlib's searchBaseLayer): the
    /// <paramref name="ef"/> nearest rows found are left in the scratch's result heap. With a
    /// <paramref name="filter"/> (a query), removed and filtered rows guide the walk but are never
    /// results, and the walk goes on until <paramref name="ef"/> results are found or the graph is
    /// exhausted.
    /// </summary>
    private void SearchLayer(ReadOnlySpan<float> query, int entry, float entryDistance, int ef, int layer, HnswScratch scratch,
        QueryFilter? filter, ref long computed)
    {
        var visited = scratch.Visited;
        var candidates = scratch.Candidates;
        var results = scratch.Results;
        visited.Clear(Store.RowCount);
        candidates.Clear();
        results.Clear();
        visited.Add(entry);
        candidates.Push(entryDistance, entry);
        if (filter is null || filter.Accepts(entry)) results.Push(entryDistance, entry);
        float bound = results.Count > 0 ? entryDistance : float.PositiveInfinity;
        while (candidates.Count > 0)
        {
            float distance = candidates.TopDistance;
            if (distance > bound && (results.Count == ef || filter is null)) break;
            int current = candidates.TopRow;
            candidates.Pop();
            var neighbours = Neighbours(current, layer, scratch);
            if (neighbours.Length > 0) Store.Prefetch(neighbours[0]);
            for (int i = 0; i < neighbours.Length; i++)
            {
                int neighbour = neighbours[i];
                // Ask for the next neighbour's vector while this one is compared (hnswlib's _mm_prefetch).
                if (i + 1 < neighbours.Length) Store.Prefetch(neighbours[i + 1]);
                if (!visited.Add(neighbour)) continue;
                float d = Store.RankingDistance(query, neighbour);
                computed++;
                if (results.Count < ef || d < bound)
                {
                    candidates.Push(d, neighbour);
                    if (filter is null || filter.Accepts(neighbour)) results.Push(d, neighbour);
                    if (results.Count > ef) results.Pop();
                    if (results.Count > 0) bound = results.TopDistance;
                }
            }
        }
    }

    /// <inheritdoc/>
    public override IVectorIndex CloneEmpty() => new Hnsw(Dimension, Metric, Options);
}
