using System.Diagnostics;
using Lookalike.Collections;
using Lookalike.Indexes;

namespace Lookalike.Scale;

/// <summary>One store's numbers: ingest, size, open, search.</summary>
internal sealed record StoreRow(string Store, double IngestRowsPerSecond, long Bytes, double OpenSeconds, double FlatQps, double HnswQps);

/// <summary>Ingests the same images into a store, opens it again and searches it.</summary>
internal static class StoreBench
{
    public static async Task<StoreRow> RunAsync(string name, ICollectionProvider provider, string location, BenchData data)
    {
        var clock = Stopwatch.StartNew();
        await using (var writer = await provider.OpenAsync(location, CollectionAccess.WriteOrCreate, data.Creation))
        {
            for (int i = 0; i < data.Images.Count; i++)
            {
                await writer.AddAsync(data.Images[i]);
                if ((i + 1) % 1000 == 0) await writer.CommitAsync();
            }
            await writer.CommitAsync();
        }
        double ingest = data.Images.Count / clock.Elapsed.TotalSeconds;
        clock.Restart();
        await using var reader = await provider.OpenAsync(location, CollectionAccess.Read);
        await reader.SearchAsync(data.Queries[0], new SearchOptions(10, IndexSpec: "Flat"));
        double open = clock.Elapsed.TotalSeconds;
        long bytes = reader.Info.SizeOnDisk;
        var flat = await SearchAsync(reader, data, "Flat");
        await reader.SearchAsync(data.Queries[0], new SearchOptions(10, IndexSpec: HnswOptions.DefaultSpec)); // built here, not timed
        var hnsw = await SearchAsync(reader, data, HnswOptions.DefaultSpec);
        return new StoreRow(name, ingest, bytes, open, flat.PerSecond, hnsw.PerSecond);
    }

    public static Task<Timing> SearchAsync(ImageCollection collection, BenchData data, string spec, int concurrency = 1) =>
        Timing.MeasureAsync(data.Queries.Length, concurrency, q => collection.SearchAsync(data.Queries[q], new SearchOptions(10, IndexSpec: spec)).AsTask());
}
