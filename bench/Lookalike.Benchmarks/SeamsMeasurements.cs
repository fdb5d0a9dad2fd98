using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Lookalike.Collections;
using Lookalike.Indexes;
using Lookalike.IO;

namespace Lookalike.Benchmarks;

/// <summary>
/// The measurements of the collection seams: synthetic feature sets (clustered, non-negative like a
/// CNN's pooled activations) written as an export would (.npy + paths + model description) and as a
/// format-1 collection folder (for builds before format 2), and the cost of one commit of 1,000 rows
/// into collections of different sizes.
/// </summary>
internal static class SeamsMeasurements
{
    /// <summary>Writes OUT.npy (+ .paths.txt, .labels.txt, .model.json) and OUT.v1/ (a format-1 collection of the same rows).</summary>
    public static void WriteSynthetic(string output, int rows, int dimension, string modelPath)
    {
        var random = new Random(7);
        const int clusters = 100;
        var centres = new float[clusters * dimension];
        for (int i = 0; i < centres.Length; i++) centres[i] = MathF.Max(0, (float)(random.NextDouble() * 2 - 0.5));
        var vectors = new float[(long)rows * dimension];
        for (int r = 0; r < rows; r++)
        {
            int c = r % clusters;
            for (int j = 0; j < dimension; j++)
                vectors[((long)r * dimension) + j] = MathF.Max(0, centres[(c * dimension) + j] + (float)((random.NextDouble() - 0.5) * 0.8));
        }
        NpyFile.Write(output, vectors, rows, dimension);
        File.WriteAllLines(output + ".paths.txt", Enumerable.Range(0, rows).Select(i => $"/synthetic/{i % clusters}/{i:D7}.jpg"));
        File.WriteAllLines(output + ".labels.txt", Enumerable.Range(0, rows).Select(i => $"c{i % clusters}"));
        string sha = FileHash.Sha256Of(modelPath);
        string model = $$"""{"id":"resnet50-keras-imagenet","sha256":"{{sha}}","path":"{{modelPath}}","dimension":{{dimension}},"preprocessing":"keras"}""";
        File.WriteAllText(output + ".model.json", model);

        string v1 = output + ".v1";
        Directory.CreateDirectory(v1);
        using (var stream = File.Create(Path.Combine(v1, "vectors.f32"))) stream.Write(MemoryMarshal.AsBytes(vectors.AsSpan()));
        var now = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        var images = new StringBuilder("{\"images\":[");
        for (int i = 0; i < rows; i++)
        {
            if (i > 0) images.Append(',');
            images.Append(CultureInfo.InvariantCulture, $$"""{"id":{{i}},"path":"/synthetic/{{i % clusters}}/{{i:D7}}.jpg","sha256":"{{i:x64}}","label":"c{{i % clusters}}","bytes":0,"width":0,"height":0,"addedAt":"{{now}}"}""");
        }
        images.Append("],\"deleted\":[],\"files\":{}}");
        File.WriteAllText(Path.Combine(v1, "metadata-000001.json"), images.ToString());
        File.WriteAllText(Path.Combine(v1, "manifest.json"),
            $$"""{"formatVersion":1,"model":{{model}},"metric":"cosine","index":"Flat","rows":{{rows}},"generation":1,"metadataFile":"metadata-000001.json","createdAt":"{{now}}","updatedAt":"{{now}}"}""");
        Console.WriteLine($"Wrote {rows} × {dimension} synthetic features to {output} (+ sidecars) and a format-1 collection {v1}.");
    }

    /// <summary>Times one commit of 1,000 new rows into copies of a collection grown to each size.</summary>
    public static void CommitCost(string work, int dimension, int[] sizes)
    {
        var model = new ModelReference("synthetic", new string('b', 64), "/none", dimension, "none");
        var random = new Random(3);
        Console.WriteLine("| rows before | commit of 1,000 rows (ms, median of 5) | metadata files (MiB) |");
        Console.WriteLine("|---|---|---|");
        foreach (int size in sizes)
        {
            string folder = Path.Combine(work, $"commit-{size}");
            var times = new List<double>();
            var collection = EmbeddedCollection.OpenOrCreate(folder, model, DistanceMetric.L2, "Flat");
            {
                int next = 0;
                void Add(int count)
                {
                    for (int i = 0; i < count; i++, next++)
                    {
                        var v = new float[dimension];
                        for (int j = 0; j < dimension; j++) v[j] = (float)random.NextDouble();
                        collection.AddAsync(new NewImage($"/p/{next}.jpg", $"{next:x64}", "x", 1, 1, 1, v)).AsTask().Wait();
                        collection.RecordFileStateAsync($"/p/{next}.jpg", new FileState(1, next, $"{next:x64}")).AsTask().Wait();
                    }
                }
                for (int filled = 0; filled < size; filled += 10_000)
                {
                    Add(Math.Min(10_000, size - filled));
                    collection.CommitAsync().AsTask().Wait();
                }
                for (int round = 0; round < 5; round++)
                {
                    Add(1000);
                    var clock = Stopwatch.StartNew();
                    collection.CommitAsync().AsTask().Wait();
                    times.Add(clock.Elapsed.TotalMilliseconds);
                }
                collection.DisposeAsync().AsTask().Wait();
            }
            times.Sort();
            // Format 2 keeps the records in metadata.db (+ its WAL), format 1 in one metadata-NNNNNN.json.
            double mib = Directory.EnumerateFiles(folder, "metadata*").Sum(f => new FileInfo(f).Length) / 1048576.0;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {size:N0} | {times[2]:F1} | {mib:F1} |"));
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// Opens a collection read-only (no model) and searches it with each spec in turn, printing the
    /// process's resident memory after each index is loaded: what indexes cost on top of the vectors.
    /// </summary>
    public static void LoadIndexes(string folder, string[] specs)
    {
        static double RssMiB() => long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
        var collection = EmbeddedCollection.OpenReadOnly(folder);
        double vectors = new FileInfo(Path.Combine(folder, "vectors.f32")).Length / 1048576.0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"vectors.f32: {vectors:F0} MiB; opened: RSS {RssMiB():F0} MiB"));
        var query = collection.GetFeaturesAsync(7).AsTask().Result!;
        foreach (string spec in specs)
        {
            var clock = Stopwatch.StartNew();
            var response = collection.SearchAsync(query, new SearchOptions(10, IndexSpec: spec)).AsTask().Result;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"+ {response.IndexSpec}: loaded and searched in {clock.Elapsed.TotalSeconds:F2} s, first hit id {response.Hits[0].Image.Id}, RSS {RssMiB():F0} MiB ({RssMiB() / vectors:F2} × the vectors)"));
        }
        collection.DisposeAsync().AsTask().Wait();
    }
}
