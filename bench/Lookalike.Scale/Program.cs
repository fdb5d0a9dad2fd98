using System.Globalization;
using System.Text;
using System.Text.Json;
using Lookalike.Collections;
using Lookalike.Indexes;
using Lookalike.Scale;
using Lookalike.Storage.Postgres;

// bench/scale/run starts a PostgreSQL server and passes it with --postgres.
var options = args.Select((a, i) => (a, i)).Where(p => p.a.StartsWith("--", StringComparison.Ordinal))
    .ToDictionary(p => p.a, p => p.i + 1 < args.Length && !args[p.i + 1].StartsWith("--", StringComparison.Ordinal) ? args[p.i + 1] : "true");
string postgres = options.GetValueOrDefault("--postgres") ?? throw new ArgumentException("--postgres CONNECTION is required (bench/scale/run gives it)");
string? source = options.GetValueOrDefault("--source");
bool quick = options.ContainsKey("--quick");
int limit = int.Parse(options.GetValueOrDefault("--limit") ?? "1000000", CultureInfo.InvariantCulture);
int queries = int.Parse(options.GetValueOrDefault("--queries") ?? (quick ? "100" : "300"), CultureInfo.InvariantCulture);
string output = options.GetValueOrDefault("--out") ?? Path.Combine("artifacts", "bench-scale");
var data = await BenchData.LoadAsync(quick ? null : source, quick ? 3000 : 20000, limit, queries);
Console.WriteLine($"Data: {data.Source}, {data.Images.Count} images, {data.Queries.Length} queries, {Environment.ProcessorCount} cores");

string run = $"{Environment.ProcessId}";
string folder = Path.Combine(Path.GetTempPath(), $"lookalike-scale-{run}");
string location = $"{postgres};Collection=bench_{run}";
var stores = new List<StoreRow>();
try
{
    stores.Add(await StoreBench.RunAsync("embedded (folder)", new EmbeddedCollectionProvider(IndexRegistry.Builtin), folder, data));
    stores.Add(await StoreBench.RunAsync("PostgreSQL", new PostgresCollectionProvider(IndexRegistry.Builtin), location, data));
}
finally
{
    if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
}
var columns = await VectorColumnBench.RunAsync(postgres, data);
var cluster = await ClusterBench.RunAsync(location, data, shards: 6, concurrency: 4);

var report = new StringBuilder();
report.AppendLine(CultureInfo.InvariantCulture, $"Data: {data.Source}: {data.Images.Count} images; {data.Queries.Length} queries (rows of the set), k = 10; {Environment.ProcessorCount} cores.\n");
report.AppendLine("| store | ingest rows/s | size MiB | open + first search s | Flat q/s | Hnsw q/s |");
report.AppendLine("|---|---:|---:|---:|---:|---:|");
foreach (var s in stores)
    report.AppendLine(CultureInfo.InvariantCulture, $"| {s.Store} | {s.IngestRowsPerSecond:N0} | {s.Bytes / 1048576.0:F1} | {s.OpenSeconds:F2} | {s.FlatQps:F1} | {s.HnswQps:F0} |");
report.AppendLine(CultureInfo.InvariantCulture,
    $"\nPostgreSQL / embedded: ingest {stores[1].IngestRowsPerSecond / stores[0].IngestRowsPerSecond:F2}×, open {stores[1].OpenSeconds / stores[0].OpenSeconds:F2}× the time, " +
    $"Flat {stores[1].FlatQps / stores[0].FlatQps:F2}×, Hnsw {stores[1].HnswQps / stores[0].HnswQps:F2}×.\n");
report.AppendLine("| vector column | binary COPY rows/s | table MiB |");
report.AppendLine("|---|---:|---:|");
foreach (var c in columns) report.AppendLine(CultureInfo.InvariantCulture, $"| {c.Column} | {c.CopyRowsPerSecond:N0} | {c.Bytes / 1048576.0:F1} |");
report.AppendLine("\n| setup | index | q/s (4 callers) | p50 ms | p99 ms | same top-10 as the exact scan |");
report.AppendLine("|---|---|---:|---:|---:|---:|");
foreach (var c in cluster)
    report.AppendLine(CultureInfo.InvariantCulture, $"| {c.Setup} | {c.Index} | {c.Qps:F1} | {c.P50Ms:F1} | {c.P99Ms:F1} | {c.SameTop10}/{c.Queries} |");
Console.WriteLine();
Console.Write(report);
Directory.CreateDirectory(output);
await File.WriteAllTextAsync(Path.Combine(output, "scale.md"), report.ToString());
await File.WriteAllTextAsync(Path.Combine(output, "scale.json"), JsonSerializer.Serialize(new { data.Source, stores, columns, cluster }, new JsonSerializerOptions { WriteIndented = true }));
