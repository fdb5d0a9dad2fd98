namespace Lookalike.Indexes;

/// <summary>
/// Exact k nearest neighbours of queries over every live row of a <see cref="VectorStore"/>, at the
/// speed of the hardware. A batch is computed as blocked matrix products: ‖q‖² + ‖x‖² − 2 q·x (or
/// 1 − q·x for cosine) over blocks of rows that stay in cache while tiles of four queries pass over
/// them (<see cref="VectorKernels.Dot4x2"/>), each query keeping a bounded top-k; the k found are then
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
        SearchFilter? filter = null)
    {
        int d = store.Dimension;
        int n = IndexArguments.CheckSearch(d, queries, k, distances, ids);
        long live = store.Count;
        int rows = store.RowCount;
        int workers = Environment.ProcessorCount;
        var prepared = PreparedTiles(store, queries, n);
        var norms = new float[n];
        for (int q = 0; q < n; q++) norms[q] = VectorKernels.Dot(prepared.AsSpan(q * d, d), prepared.AsSpan(q * d, d));

        bool batched = n >= TileQueries;
        int chunks = batched ? (n + ChunkQueries - 1) / ChunkQueries : n;
        int chunkSize = batched ? ChunkQueries : 1;
        int ranges = Math.Clamp((2 * workers + chunks - 1) / chunks, 1, Math.Max(1, rows / MinRowsPerRange));
        int rowsPerRange = (rows + ranges - 1) / Math.Max(1, ranges);
        var collectors = new TopKCollector[ranges][];
        Parallel.For(0, chunks * ranges, task =>
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
        int block = Math.Max(2, BlockBytes / (d * sizeof(float))) & ~1;
        Span<float> dots = stackalloc float[2 * TileQueries];
        for (int blockStart = firstRow; blockStart < endRow; blockStart += block)
        {
            int blockEnd = Math.Min(endRow, blockStart + block);
            for (int tile = 0; tile < count; tile += TileQueries)
            {
                int q0 = firstQuery + tile;
                var tileQueries = prepared.AsSpan(q0 * d, TileQueries * d);
                int valid = Math.Min(TileQueries, count - tile);
                for (int row = blockStart; row < blockEnd; row += 2)
                {
                    int second = Math.Min(row + 1, blockEnd - 1);
                    VectorKernels.Dot4x2(tileQueries, store.KernelRow(row), store.KernelRow(second), dots);
                    for (int r = row; r <= second; r++)
                    {
                        if (store.IsRemoved(r)) continue;
                        long id = store.IdOf(r);
                        int column = r - row;
                        for (int q = 0; q < valid; q++)
                        {
                            var top = tops[tile + q];
                            float distance = store.RankingDistanceFromDot(norms[q0 + q], dots[(2 * q) + column], r);
                            if (distance <= top.Threshold) top.Offer(distance, id);
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
