using System.Globalization;
using Lookalike.Errors;

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
/// to its level, to at most M neighbours (2M on layer 0) chosen by the paper's heuristic (a
/// candidate is kept only if it is nearer to the new vector than to every neighbour kept so far). A
/// query walks greedily down from the top layer's entry point, then runs a best-first search with
/// <see cref="HnswOptions.EfSearch"/> candidates on layer 0 and ranks what it found by exact distance.
/// </summary>
/// <remarks>
/// Concurrent searches are safe; <see cref="Add"/> and <see cref="Remove"/> need exclusive access.
/// Removed vectors stay in the graph as waypoints (as hnswlib's mark-delete) and never appear in results.
/// </remarks>
public sealed class Hnsw : StoredVectorIndex
{
    /// <summary>The type name in specs and serialized files.</summary>
    public const string TypeName = "Hnsw";

    // _links[row][layer] = neighbour rows of row on that layer.
    private readonly List<List<int>[]> _links = [];
    private readonly Random _levels;
    private int _entry = -1;
    private int _top = -1;

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

    private int MaxLinks(int layer) => layer == 0 ? 2 * Options.M : Options.M;

    /// <inheritdoc/>
    public override void Add(ReadOnlySpan<float> vectors, ReadOnlySpan<long> ids)
    {
        int first = Store.Add(vectors, ids);
        double scale = 1 / Math.Log(Options.M);
        for (int row = first; row < Store.RowCount; row++)
        {
            int level = (int)Math.Floor(-Math.Log(1 - _levels.NextDouble()) * scale);
            Insert(row, Math.Min(level, 32));
        }
    }

    private void Insert(int row, int level)
    {
        _links.Add([.. Enumerable.Range(0, level + 1).Select(layer => new List<int>(MaxLinks(layer)))]);
        if (_entry < 0)
        {
            (_entry, _top) = (row, level);
            return;
        }
        var query = Store.Row(row).ToArray();
        int current = _entry;
        float currentDistance = Store.Distance(query, current);
        long computed = 0;
        for (int layer = _top; layer > level; layer--) (current, currentDistance) = Greedy(query, current, currentDistance, layer, ref computed);
        for (int layer = Math.Min(level, _top); layer >= 0; layer--)
        {
            var found = SearchLayer(query, [(currentDistance, current)], Options.EfConstruction, layer, null, ref computed);
            var chosen = SelectNeighbours(found, MaxLinks(layer));
            _links[row][layer].AddRange(chosen.Select(c => c.Row));
            foreach (var (_, neighbour) in chosen) Link(neighbour, row, layer);
            (currentDistance, current) = found[0];
        }
        if (level > _top) (_entry, _top) = (row, level);
    }

    /// <summary>Adds <paramref name="row"/> to <paramref name="node"/>'s links, pruning them with the heuristic when full.</summary>
    private void Link(int node, int row, int layer)
    {
        var links = _links[node][layer];
        links.Add(row);
        if (links.Count <= MaxLinks(layer)) return;
        var origin = Store.Row(node).ToArray();
        var candidates = links.Select(n => (Store.Distance(origin, n), n)).OrderBy(c => c.Item1).ThenBy(c => c.n).ToList();
        var kept = SelectNeighbours(candidates, MaxLinks(layer));
        links.Clear();
        links.AddRange(kept.Select(k => k.Row));
    }

    /// <summary>The heuristic of the paper (Algorithm 4): nearest first, each kept only if nearer to the base than to any kept one.</summary>
    private List<(float Distance, int Row)> SelectNeighbours(List<(float Distance, int Row)> candidates, int count)
    {
        var kept = new List<(float Distance, int Row)>(count);
        var keptRows = new List<float[]>(count);
        foreach (var candidate in candidates)
        {
            if (kept.Count == count) break;
            bool diverse = true;
            for (int i = 0; i < kept.Count && diverse; i++) diverse = Store.Distance(keptRows[i], candidate.Row) >= candidate.Distance;
            if (!diverse) continue;
            kept.Add(candidate);
            keptRows.Add(Store.Row(candidate.Row).ToArray());
        }
        // Fill up with the nearest of the rest, so sparse regions stay connected (keepPrunedConnections).
        foreach (var candidate in candidates)
        {
            if (kept.Count == count) break;
            if (!kept.Contains(candidate)) kept.Add(candidate);
        }
        return kept;
    }

    private (int Row, float Distance) Greedy(ReadOnlySpan<float> query, int current, float distance, int layer, ref long computed)
    {
        for (bool moved = true; moved;)
        {
            moved = false;
            foreach (int neighbour in _links[current][layer])
            {
                float d = Store.Distance(query, neighbour);
                computed++;
                if (d < distance || d == distance && neighbour < current)
                {
                    (current, distance, moved) = (neighbour, d, true);
                }
            }
        }
        return (current, distance);
    }

    /// <summary>Best-first search of one layer from <paramref name="entries"/>; the <paramref name="ef"/> nearest found, nearest first.</summary>
    private List<(float Distance, int Row)> SearchLayer(ReadOnlySpan<float> query, List<(float, int)> entries, int ef, int layer,
        HashSet<int>? visited, ref long computed)
    {
        visited ??= [];
        var candidates = new PriorityQueue<int, float>();
        var results = new PriorityQueue<int, float>(Comparer<float>.Create((a, b) => b.CompareTo(a)));
        foreach (var (distance, row) in entries)
        {
            visited.Add(row);
            candidates.Enqueue(row, distance);
            results.Enqueue(row, distance);
        }
        while (candidates.TryDequeue(out int current, out float distance))
        {
            results.TryPeek(out _, out float worst);
            if (distance > worst && results.Count >= ef) break;
            foreach (int neighbour in _links[current][layer])
            {
                if (!visited.Add(neighbour)) continue;
                float d = Store.Distance(query, neighbour);
                computed++;
                results.TryPeek(out _, out worst);
                if (results.Count < ef || d < worst)
                {
                    candidates.Enqueue(neighbour, d);
                    results.Enqueue(neighbour, d);
                    if (results.Count > ef) results.Dequeue();
                }
            }
        }
        var found = new List<(float Distance, int Row)>(results.Count);
        while (results.TryDequeue(out int row, out float d)) found.Add((d, row));
        found.Reverse();
        return found;
    }

    /// <inheritdoc/>
    public override void Remove(ReadOnlySpan<long> ids) => Store.Remove(ids);

    /// <inheritdoc/>
    public override SearchStats Search(ReadOnlySpan<float> queries, int k, Span<float> distances, Span<long> ids,
        SearchParameters? parameters = null)
    {
        int ef = (parameters as HnswSearchParameters)?.EfSearch ?? Options.EfSearch;
        if (ef < 1) throw new LookalikeException($"efSearch must be at least 1 (was {ef}).");
        return ParallelSearch.Run(Dimension, queries, k, distances, ids, (query, top) =>
        {
            if (_entry < 0 || Store.Count == 0) return (0, 0);
            var prepared = Store.PrepareQuery(query);
            long computed = 1;
            int current = _entry;
            float distance = Store.Distance(prepared, current);
            for (int layer = _top; layer > 0; layer--) (current, distance) = Greedy(prepared, current, distance, layer, ref computed);
            // Removed rows still guide the walk. Where so many are removed that fewer than k live ones
            // were found (a deleted neighbourhood), the search is widened until k are, or all rows were seen.
            int wanted = Math.Max(ef, k);
            HashSet<int> visited;
            while (true)
            {
                visited = [];
                var found = SearchLayer(prepared, [(distance, current)], wanted, 0, visited, ref computed);
                int live = found.Count(f => !Store.IsRemoved(f.Row));
                if (live >= Math.Min(k, Store.Count) || wanted >= Store.RowCount)
                {
                    foreach (var (d, row) in found)
                    {
                        if (!Store.IsRemoved(row)) top.Offer(d, Store.IdOf(row));
                    }
                    break;
                }
                wanted = (int)Math.Min(Store.RowCount, 2L * wanted);
            }
            return (visited.Count, computed);
        });
    }

    /// <inheritdoc/>
    public override IVectorIndex CloneEmpty() => new Hnsw(Dimension, Metric, Options);

    /// <inheritdoc/>
    public override void WriteTo(BinaryWriter writer)
    {
        writer.Write(Options.ToSpec());
        Store.WriteTo(writer);
        writer.Write(_entry);
        writer.Write(_top);
        foreach (var layers in _links)
        {
            writer.Write(layers.Length);
            foreach (var links in layers)
            {
                writer.Write(links.Count);
                foreach (int row in links) writer.Write(row);
            }
        }
    }

    /// <summary>Reads what <see cref="WriteTo"/> wrote.</summary>
    internal static Hnsw ReadFrom(BinaryReader reader, IndexReading reading)
    {
        var options = HnswOptions.Parse(IndexSpecComponent.ParseChain(reader.ReadString())[0]);
        var store = VectorStore.ReadFrom(reader, reading.Dimension, reading.Metric, reading.Vectors);
        var index = new Hnsw(store, options) { _entry = reader.ReadInt32(), _top = reader.ReadInt32() };
        for (int row = 0; row < store.RowCount; row++)
        {
            int layers = reader.ReadInt32();
            if (layers < 1 || layers > 33) throw new LookalikeException("Index file is damaged (HNSW levels).");
            var lists = new List<int>[layers];
            for (int layer = 0; layer < layers; layer++)
            {
                int count = reader.ReadInt32();
                if (count < 0 || count > index.MaxLinks(layer)) throw new LookalikeException("Index file is damaged (HNSW links).");
                lists[layer] = new List<int>(count);
                for (int i = 0; i < count; i++)
                {
                    int neighbour = reader.ReadInt32();
                    if ((uint)neighbour >= (uint)store.RowCount) throw new LookalikeException("Index file is damaged (row number).");
                    lists[layer].Add(neighbour);
                }
            }
            index._links.Add(lists);
        }
        if (index._entry >= store.RowCount || index._top >= 33) throw new LookalikeException("Index file is damaged (HNSW entry point).");
        // Levels of rows added after loading continue the seeded sequence as if never saved.
        for (int i = 0; i < store.RowCount; i++) index._levels.NextDouble();
        return index;
    }
}

/// <summary>Parameters of <see cref="Hnsw"/>, with their defaults (those of hnswlib's examples).</summary>
public sealed record HnswOptions
{
    /// <summary>Links per node on the upper layers (2M on layer 0).</summary>
    public int M { get; init; } = 16;

    /// <summary>Candidates kept while linking a new vector.</summary>
    public int EfConstruction { get; init; } = 200;

    /// <summary>Candidates kept while searching layer 0 (at least k are always kept).</summary>
    public int EfSearch { get; init; } = 64;

    /// <summary>Seed of the level draws.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Reads a spec component (absent parameters keep their defaults).</summary>
    public static HnswOptions Parse(IndexSpecComponent component)
    {
        component.RejectUnknown("m", "efconstruction", "efsearch", "seed");
        var d = new HnswOptions();
        return new HnswOptions
        {
            M = component.GetInt("m", d.M),
            EfConstruction = component.GetInt("efconstruction", d.EfConstruction),
            EfSearch = component.GetInt("efsearch", d.EfSearch),
            Seed = component.GetInt("seed", d.Seed),
        };
    }

    /// <summary>The spec with every parameter written out.</summary>
    public string ToSpec() => string.Create(CultureInfo.InvariantCulture,
        $"{Hnsw.TypeName}(m={M},efConstruction={EfConstruction},efSearch={EfSearch},seed={Seed})");

    /// <summary>Throws for values out of range.</summary>
    public void Validate()
    {
        if (M < 2 || M > 256) throw new LookalikeException($"Hnsw m must be 2..256 (was {M}).");
        if (EfConstruction < 1 || EfConstruction > 100_000) throw new LookalikeException($"Hnsw efConstruction must be 1..100000 (was {EfConstruction}).");
        if (EfSearch < 1 || EfSearch > 100_000) throw new LookalikeException($"Hnsw efSearch must be 1..100000 (was {EfSearch}).");
    }
}

/// <summary>The <see cref="Hnsw"/> type.</summary>
public sealed class HnswDescriptor() : OptionsIndexDescriptor<HnswOptions>(Hnsw.TypeName, HnswOptions.Parse,
    (dimension, metric, options, vectors) => new Hnsw(dimension, metric, options, vectors), Hnsw.ReadFrom);
