using System.Runtime.Intrinsics;

namespace Lookalike.Indexes;

/// <summary>
/// Exact k nearest neighbours of queries over every live row of a <see cref="VectorStore"/>, at the
/// speed of the hardware. A batch is computed as blocked matrix products: ‖q‖² + ‖x‖² − 2 q·x (or
/// 1 − q·x for cosine) over blocks of rows that stay in cache while tiles of four queries pass over
/// them (<see cref="VectorKernels.Dot4x4"/>), each query keeping a bounded top-k; the k found are then
/// re-ranked by their exact distances (the expansion loses precision near zero). A query or two is
/// streamed once over the rows instead, the rows split into ranges across cores.
/// </summary>
public static class ExactScan
{
    private const int TileQueries = 4;
    private const int ChunkQueries = 64;
    private const int BlockBytes = 128 << 10;
    private const int MinRowsPerRange = 2048;

    /// <summary>Searches <paramref name="queries"/> (n×d) like <see cref="IVectorIndex.Search"/>.</summary>
    public static SearchStats Search(VectorStore store, ReadOnlySpan<float> queries, int k, Span<float> distances, Span<long> ids,
        SearchParameters? parameters = null)
    {
        IndexArguments.CheckSearch(store.Dimension, queries, k, distances, ids);
        return Search(store, Prepare(store, queries), k, distances, ids, parameters);
    }

    /// <summary>
    /// Queries as <paramref name="store"/> compares rows, padded to whole tiles, with their squared
    /// norms: prepared once for many scans of the same queries (k-means assigns the same points
    /// every iteration).
    /// </summary>
    public static PreparedQueries Prepare(VectorStore store, ReadOnlySpan<float> queries)
    {
        int d = store.Dimension;
        int n = queries.Length / d;
        var tiles = PreparedTiles(store, queries, n);
        var norms = new float[n];
        for (int q = 0; q < n; q++) norms[q] = VectorKernels.Dot(tiles.AsSpan(q * d, d), tiles.AsSpan(q * d, d));
        return new PreparedQueries(n, tiles, norms);
    }

    /// <summary>Searches queries prepared by <see cref="Prepare"/> (for a store of the same dimension and metric).</summary>
    public static SearchStats Search(VectorStore store, PreparedQueries queries, int k, Span<float> distances, Span<long> ids,
        SearchParameters? parameters = null)
    {
        var filter = parameters?.Filter;
        int d = store.Dimension;
        int n = queries.Count;
        var prepared = queries.Tiles;
        var norms = queries.SquaredNorms;
        long live = store.Count;
        int rows = store.RowCount;
        var parallelism = SearchParameters.Parallelism(parameters);
        int workers = parallelism.MaxDegreeOfParallelism > 0 ? parallelism.MaxDegreeOfParallelism : Environment.ProcessorCount;

        bool batched = n >= TileQueries;
        // Chunks of whole tiles, small enough that every core gets several (a batch of 200 is not split 64/64/64/8).
        int chunkSize = batched ? Math.Clamp(n / (4 * workers) / TileQueries * TileQueries, TileQueries, ChunkQueries) : 1;
        int chunks = (n + chunkSize - 1) / chunkSize;
        int ranges = workers == 1 ? 1 : Math.Clamp(((2 * workers) + chunks - 1) / chunks, 1, Math.Max(1, rows / MinRowsPerRange));
        int rowsPerRange = (rows + ranges - 1) / Math.Max(1, ranges);
        var collectors = new TopKCollector[ranges][];
        Parallel.For(0, chunks * ranges, parallelism, task =>
        {
            int chunk = task / ranges, range = task % ranges;
            int firstQuery = chunk * chunkSize, count = Math.Min(chunkSize, n - firstQuery);
            int firstRow = range * rowsPerRange, endRow = Math.Min(rows, firstRow + rowsPerRange);
            var tops = new TopKCollector[count];
            for (int i = 0; i < count; i++) tops[i] = new TopKCollector(k, filter);
            if (batched) ScanTiles(store, prepared, norms, firstQuery, count, firstRow, endRow, tops);
            else ScanOne(store, prepared.AsSpan(firstQuery * d, d), firstRow, endRow, tops[0]);
            lock (collectors)
            {
                collectors[range] ??= new TopKCollector[n];
                Array.Copy(tops, 0, collectors[range], firstQuery, count);
            }
        });
        for (int q = 0; q < n; q++)
        {
            var top = collectors[0][q];
            for (int range = 1; range < ranges; range++) collectors[range][q].MoveTo(top);
            var outDistances = distances.Slice(q * k, k);
            var outIds = ids.Slice(q * k, k);
            top.DrainSorted(outDistances, outIds);
            if (batched) Rerank(store, prepared.AsSpan(q * d, d), outDistances, outIds);
            for (int i = 0; i < k && outIds[i] >= 0; i++) outDistances[i] = store.Reported(outDistances[i]);
        }
        return new SearchStats(n, n * live, n * live);
    }

    /// <summary>The queries as the store compares them, padded with copies of the last to whole tiles of four.</summary>
    private static float[] PreparedTiles(VectorStore store, ReadOnlySpan<float> queries, int n)
    {
        int d = store.Dimension;
        int padded = (n + TileQueries - 1) / TileQueries * TileQueries;
        var prepared = new float[padded * d];
        for (int q = 0; q < padded; q++)
        {
            var source = queries.Slice(Math.Min(q, n - 1) * d, d);
            var target = prepared.AsSpan(q * d, d);
            store.PrepareQuery(source, target).CopyTo(target);
        }
        return prepared;
    }

    private static void ScanOne(VectorStore store, ReadOnlySpan<float> query, int firstRow, int endRow, TopKCollector top)
    {
        for (int row = firstRow; row < endRow; row++)
        {
            if (!store.IsRemoved(row)) top.Offer(store.RankingDistance(query, row), store.IdOf(row));
        }
    }

    private static void ScanTiles(VectorStore store, float[] prepared, float[] norms, int firstQuery, int count,
        int firstRow, int endRow, TopKCollector[] tops)
    {
        int d = store.Dimension;
        int block = Math.Max(4, BlockBytes / (d * sizeof(float))) & ~3;
        bool l2 = store.Metric == DistanceMetric.L2;
        var dots = new float[4 * TileQueries];
        // Per block, what every tile needs of its rows: ids (−1 when removed), ‖x‖² (L2) or the dot scale (cosine);
        // padded by a group of four so that the last group loads whole vectors.
        var ids = new long[block + 4];
        var rowTerms = new float[block + 4];
        var thresholds = new float[count];
        for (int q = 0; q < count; q++) thresholds[q] = float.PositiveInfinity;
        for (int blockStart = firstRow; blockStart < endRow; blockStart += block)
        {
            int blockEnd = Math.Min(endRow, blockStart + block);
            for (int r = blockStart; r < blockEnd; r++)
            {
                ids[r - blockStart] = store.IsRemoved(r) ? -1 : store.IdOf(r);
                rowTerms[r - blockStart] = l2 ? store.SquaredNorm(r) : store.DotScale(r);
            }
            for (int tile = 0; tile < count; tile += TileQueries)
            {
                int q0 = firstQuery + tile;
                var tileQueries = prepared.AsSpan(q0 * d, TileQueries * d);
                int valid = Math.Min(TileQueries, count - tile);
                for (int row = blockStart; row < blockEnd; row += 4)
                {
                    // A short last group repeats its last row (computed, not offered twice).
                    int last = Math.Min(row + 3, blockEnd - 1);
                    VectorKernels.Dot4x4(tileQueries, store.KernelRow(row), store.KernelRow(Math.Min(row + 1, last)),
                        store.KernelRow(Math.Min(row + 2, last)), store.KernelRow(last), dots);
                    // Sixteen distances at once; only those that beat their query's k-th best so far are offered.
                    int offset = row - blockStart;
                    var terms = Vector128.LoadUnsafe(ref rowTerms[offset]);
                    var lanes = Vector128.LessThan(Vector128.Create(0f, 1f, 2f, 3f), Vector128.Create((float)(last - row + 1)));
                    for (int q = 0; q < valid; q++)
                    {
                        var dot = Vector128.LoadUnsafe(ref dots[4 * q]);
                        var distance = l2
                            ? Vector128.Max(Vector128<float>.Zero, Vector128.Create(norms[q0 + q]) + terms - (dot + dot))
                            : Vector128<float>.One - (dot * terms);
                        uint pass = (Vector128.LessThanOrEqual(distance, Vector128.Create(thresholds[tile + q])) & lanes).ExtractMostSignificantBits();
                        for (; pass != 0; pass &= pass - 1)
                        {
                            int lane = System.Numerics.BitOperations.TrailingZeroCount(pass);
                            long id = ids[offset + lane];
                            var top = tops[tile + q];
                            if (id >= 0 && top.Offer(distance.GetElement(lane), id)) thresholds[tile + q] = top.Threshold;
                        }
                    }
                }
            }
        }
    }

    /// <summary>Recomputes the k found exactly and restores their order (ties by id).</summary>
    private static void Rerank(VectorStore store, ReadOnlySpan<float> query, Span<float> distances, Span<long> ids)
    {
        int found = 0;
        while (found < ids.Length && ids[found] >= 0) found++;
        for (int i = 0; i < found; i++) distances[i] = store.RankingDistance(query, store.RowOf(ids[i]));
        for (int i = 1; i < found; i++)
        {
            float distance = distances[i];
            long id = ids[i];
            int j = i - 1;
            for (; j >= 0 && (distances[j] > distance || (distances[j] == distance && ids[j] > id)); j--)
            {
                distances[j + 1] = distances[j];
                ids[j + 1] = ids[j];
            }
            distances[j + 1] = distance;
            ids[j + 1] = id;
        }
    }
}

/// <summary>Queries ready for <see cref="ExactScan"/>: n prepared rows padded to whole tiles of four, and their squared norms.</summary>
public sealed record PreparedQueries(int Count, float[] Tiles, float[] SquaredNorms);
