using System.Text.Json;
using Lookalike.Collections;
using Lookalike.Indexes;
using Lookalike.IO;
using Lookalike.Tests.Common;

namespace Lookalike.Cli.Tests;

public sealed class IndexAndSearchTests(IndexedCifarFixture cifar) : IClassFixture<IndexedCifarFixture>
{
    [SharedDataFact]
    public async Task Indexing_500_images_stores_all_of_them_with_labels()
    {
        Assert.Equal(0, cifar.FirstRun.ExitCode);
        Assert.Contains("Indexed 500 new image(s) of 500", cifar.FirstRun.Output);
        await using var collection = EmbeddedCollection.OpenReadOnly(cifar.Collection);
        Assert.Equal(500, collection.Info.Count);
        Assert.Equal(2048, collection.Info.Model.Dimension);
        var labels = await collection.ListAsync().Select(i => i.Label).Distinct().ToListAsync();
        Assert.Equal(10, labels.Count);
    }

    [SharedDataFact]
    public async Task Searching_with_an_indexed_image_returns_it_first_at_distance_zero()
    {
        string query = Path.Combine(cifar.Images, "horse", "0007.jpg");
        foreach (string metric in new[] { "cosine", "l2" })
        {
            var result = await CliRunner.RunAsync("search", query, "--collection", cifar.Collection, "-k", "10", "--metric", metric, "--json");
            Assert.Equal(0, result.ExitCode);
            using var json = JsonDocument.Parse(result.Output);
            var results = json.RootElement.GetProperty("results");
            Assert.Equal(10, results.GetArrayLength());
            Assert.Equal(query, results[0].GetProperty("path").GetString());
            Assert.Equal(0, results[0].GetProperty("distance").GetDouble(), 1e-3);
            Assert.Equal(metric, json.RootElement.GetProperty("metric").GetString());
            Assert.Equal(500, json.RootElement.GetProperty("stats").GetProperty("distances").GetInt64());
        }
    }

    [SharedDataFact]
    public async Task Search_can_use_an_lsh_index_and_reports_fewer_distances()
    {
        string query = Path.Combine(cifar.Images, "ship", "0003.jpg");
        var result = await CliRunner.RunAsync("search", query, "--collection", cifar.Collection, "--json",
            "--index", "E2Lsh(tables=8,projections=4,width=0.5,probes=2)");
        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Output);
        Assert.StartsWith("E2Lsh(tables=8", json.RootElement.GetProperty("index").GetString());
        Assert.Equal(query, json.RootElement.GetProperty("results")[0].GetProperty("path").GetString());
        long distances = json.RootElement.GetProperty("stats").GetProperty("distances").GetInt64();
        Assert.InRange(distances, 1, 499);
    }

    [SharedDataFact]
    public async Task Same_class_images_rank_above_chance_for_most_queries()
    {
        await using var collection = EmbeddedCollection.OpenReadOnly(cifar.Collection);
        var images = await collection.ListAsync().ToListAsync();
        int aboveChance = 0;
        double precisionSum = 0;
        foreach (var image in images)
        {
            var features = await collection.GetFeaturesAsync(image.Id);
            var response = await collection.SearchAsync(features!, new SearchOptions(K: 11));
            var neighbours = response.Hits.Where(h => h.Image.Id != image.Id).Take(10).ToList();
            double precision = neighbours.Count(h => h.Image.Label == image.Label) / 10.0;
            precisionSum += precision;
            if (precision > 0.1) aboveChance++; // chance: 50 of 500 share the class
        }
        double share = aboveChance / (double)images.Count;
        double meanPrecision = precisionSum / images.Count;
        Assert.True(share > 0.75, $"only {share:P0} of queries beat chance");
        Assert.True(meanPrecision > 0.35, $"mean P@10 {meanPrecision:F2}");
    }

    [SharedDataFact]
    public async Task Reindexing_an_unchanged_folder_extracts_nothing()
    {
        var before = new FileInfo(Path.Combine(cifar.Collection, "vectors.f32")).Length;
        var again = await CliRunner.RunAsync("index", cifar.Images, "--collection", cifar.Collection, "--labels-from-folders");
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("Indexed 0 new image(s) of 500", again.Output);
        Assert.Contains("500 unchanged", again.Output);
        Assert.Equal(before, new FileInfo(Path.Combine(cifar.Collection, "vectors.f32")).Length);
    }

    [SharedDataFact]
    public async Task Exported_features_read_back_with_their_labels()
    {
        string file = Path.Combine(Path.GetTempPath(), $"lookalike-export-{Guid.NewGuid():N}.npy");
        try
        {
            var result = await CliRunner.RunAsync("export", "--collection", cifar.Collection, "--out", file);
            Assert.Equal(0, result.ExitCode);
            var (values, rows, columns) = NpyFile.Read(file);
            Assert.Equal((500, 2048), (rows, columns));
            await using var collection = EmbeddedCollection.OpenReadOnly(cifar.Collection);
            Assert.Equal(await collection.GetFeaturesAsync(3), values.AsSpan(3 * 2048, 2048).ToArray());
            var labels = await File.ReadAllLinesAsync(file + ".labels.txt");
            Assert.Equal((await collection.GetAsync(3))!.Label, labels[3]);

            // What export wrote imports into a new collection of the same model, with a saved index, and twice adds nothing.
            string imported = file + ".collection";
            string[] import = ["import", file, "--paths", file + ".paths.txt", "--labels", file + ".labels.txt",
                "--model-description", file + ".model.json", "--collection", imported, "--index", "Ivf(lists=4,nprobe=4)"];
            var first = await CliRunner.RunAsync(import);
            Assert.Equal(0, first.ExitCode);
            Assert.Contains("Imported 500 new image(s) of 500", first.Output);
            Assert.Contains("Imported 0 new image(s) of 500", (await CliRunner.RunAsync(import)).Output);
            await using var copy = EmbeddedCollection.OpenReadOnly(imported);
            Assert.Equal(500, copy.Count);
            Assert.Equal(collection.Model.Sha256, copy.Model.Sha256);
            Assert.Equal("Ivf(lists=4,nprobe=4,seed=42)", Assert.Single(copy.Info.Indexes).Spec);
            var original = await collection.GetAsync(3);
            var match = await copy.ListAsync().FirstAsync(i => i.Path == original!.Path);
            Assert.Equal(original!.Label, match.Label);
            Assert.Equal(await collection.GetFeaturesAsync(3), await copy.GetFeaturesAsync(match.Id));
            var query = Path.Combine(cifar.Images, "ship", "0003.jpg");
            var search = await CliRunner.RunAsync("search", query, "--collection", imported, "--json", "--index", "Ivf(lists=4,nprobe=4)");
            Assert.Equal(0, search.ExitCode);
            using var json = JsonDocument.Parse(search.Output);
            Assert.Equal(query, json.RootElement.GetProperty("results")[0].GetProperty("path").GetString());

            var broken = await CliRunner.RunAsync("import", file, "--paths", file + ".model.json", "--model-description", file + ".model.json",
                "--collection", file + ".broken");
            Assert.Equal(1, broken.ExitCode);
            Assert.Contains("line(s); the features have 500 row(s): give one line per row", broken.Error);
        }
        finally
        {
            foreach (string f in new[] { file, file + ".labels.txt", file + ".paths.txt", file + ".model.json" }) File.Delete(f);
            foreach (string d in new[] { ".collection", ".broken" })
            {
                if (Directory.Exists(file + d)) Directory.Delete(file + d, recursive: true);
            }
        }
    }

    [SharedDataFact]
    public async Task Info_reports_count_model_and_dimension()
    {
        var result = await CliRunner.RunAsync("info", "--collection", cifar.Collection, "--json");
        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Output);
        var root = json.RootElement;
        Assert.Equal(500, root.GetProperty("images").GetInt64());
        Assert.Equal(2048, root.GetProperty("model").GetProperty("dimension").GetInt32());
        Assert.StartsWith("resnet50", root.GetProperty("model").GetProperty("id").GetString());
        Assert.Equal("Flat", root.GetProperty("index").GetString());
        var indexes = root.GetProperty("indexes").EnumerateArray().ToList();
        Assert.Equal(["Flat", IndexedCifarFixture.IvfSpec], indexes.Select(i => i.GetProperty("spec").GetString()));
        Assert.All(indexes, i => Assert.Equal(500, i.GetProperty("rows").GetInt64()));
        Assert.All(indexes, i => Assert.False(i.GetProperty("stale").GetBoolean()));
        string folder = Path.Combine(cifar.Collection, "indexes");
        Assert.All(indexes, i => Assert.Equal(new FileInfo(Path.Combine(folder, i.GetProperty("name").GetString() + ".lkidx")).Length,
            i.GetProperty("bytes").GetInt64()));
    }

    [SharedDataFact]
    public async Task Indexing_without_an_index_named_saves_the_default_hnsw_and_search_uses_it()
    {
        using var temp = new TempDirectory();
        foreach (var (path, label) in TestData.CifarSample(TestData.Cifar10Test, perClass: 3))
        {
            Directory.CreateDirectory(temp.Combine("images", label));
            File.Copy(path, temp.Combine("images", label, Path.GetFileName(path)));
        }
        string collection = temp.Combine("collection");
        var indexed = await CliRunner.RunAsync("index", temp.Combine("images"), "--collection", collection, "--model", TestData.ModelPath);
        Assert.Equal(0, indexed.ExitCode);
        var info = await CliRunner.RunAsync("info", "--collection", collection, "--json");
        using var json = JsonDocument.Parse(info.Output);
        var saved = Assert.Single(json.RootElement.GetProperty("indexes").EnumerateArray());
        Assert.Equal(HnswOptions.DefaultSpec, saved.GetProperty("spec").GetString());
        Assert.Equal(30, saved.GetProperty("rows").GetInt64());
        string query = TestData.CifarSample(TestData.Cifar10Test, perClass: 3).First().Path;
        var search = await CliRunner.RunAsync("search", query, "--collection", collection, "--index", HnswOptions.DefaultSpec, "-k", "3", "--json");
        Assert.Equal(0, search.ExitCode);
        Assert.Contains(Path.GetFileName(query), search.Output);
    }

    [SharedDataFact]
    public async Task The_saved_ivf_answers_searches_and_reindex_rebuilds_it()
    {
        string query = Path.Combine(cifar.Images, "ship", "0003.jpg");
        var before = await CliRunner.RunAsync("search", query, "--collection", cifar.Collection, "--json", "--index", "IVF8(nprobe=2)");
        Assert.Equal(0, before.ExitCode);
        using var json = JsonDocument.Parse(before.Output);
        Assert.Equal(IndexedCifarFixture.IvfSpec, json.RootElement.GetProperty("index").GetString());
        Assert.Equal(query, json.RootElement.GetProperty("results")[0].GetProperty("path").GetString());
        Assert.InRange(json.RootElement.GetProperty("stats").GetProperty("visited").GetInt64(), 1, 499);

        var reindex = await CliRunner.RunAsync("reindex", "--collection", cifar.Collection);
        Assert.Equal(0, reindex.ExitCode);
        Assert.Contains("Ivf(lists=8", reindex.Output);
        var after = await CliRunner.RunAsync("search", query, "--collection", cifar.Collection, "--json", "--index", IndexedCifarFixture.IvfSpec);
        Assert.Equal(0, after.ExitCode);
        using var again = JsonDocument.Parse(after.Output);
        static IEnumerable<string?> Paths(JsonDocument d) => d.RootElement.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("path").GetString());
        Assert.Equal(Paths(json), Paths(again));
    }
}
