using Lookalike.Collections;
using Lookalike.Indexes;
using Lookalike.Progress;
using Lookalike.Tests.Common;

namespace Lookalike.Core.Tests.Collections;

public sealed class PersistedIndexTests : IDisposable
{
    private const int D = 16;
    private const string IvfSpec = "Ivf(lists=8,nprobe=8,seed=42)";
    private static readonly ModelReference Model = new("test-model", new string('a', 64), "/models/test.onnx", D, "none");
    private readonly TempDirectory _temp = new();

    private string Folder => _temp.Combine("collection");

    private static NewImage Image(int i, float[] data) =>
        new($"/photos/{i}.jpg", $"{i:x64}", null, 1000 + i, 32, 32, data.AsSpan(i * D, D).ToArray());

    private async Task<float[]> FilledAsync(int count, DistanceMetric metric = DistanceMetric.Cosine, params string[] specs)
    {
        float[] data = RandomVectors.Gaussian(count, D, seed: 3);
        await using var collection = EmbeddedCollection.OpenOrCreate(Folder, Model, metric, "Flat");
        for (int i = 0; i < count; i++) await collection.AddAsync(Image(i, data));
        await collection.CommitAsync();
        if (specs.Length > 0) collection.SaveIndexes(specs);
        return data;
    }

    private static async Task<List<long>> Ids(ImageCollection collection, float[] data, int row, string spec, int k = 5) =>
        (await collection.SearchAsync(data.AsMemory(row * D, D), new SearchOptions(k, IndexSpec: spec))).Hits.Select(h => h.Image.Id).ToList();

    [Fact]
    public async Task A_saved_index_is_named_in_the_manifest_and_loaded_without_training()
    {
        float[] data = await FilledAsync(400, DistanceMetric.Cosine, "IVF8", "E2Lsh(tables=4,projections=2,width=0.8)");
        await using var reader = EmbeddedCollection.OpenReadOnly(Folder);
        var saved = reader.Info.Indexes;
        Assert.Equal([$"Ivf(lists=8,nprobe=1,seed=42)", "E2Lsh(tables=4,projections=2,width=0.8,probes=0,seed=42)"], saved.Select(i => i.Spec));
        Assert.All(saved, i => Assert.Equal((400L, 400L, "cosine"), (i.Rows, i.TrainedOn, i.Metric)));
        Assert.All(saved, i => Assert.Equal(new FileInfo(Path.Combine(Folder, "indexes", i.Name + ".lkidx")).Length, i.Bytes));
        // The files hold ids and structure, not a copy of the 400 × 16 floats.
        Assert.All(saved, i => Assert.True(i.Bytes < 400 * D * sizeof(float), $"{i.Spec}: {i.Bytes} bytes"));

        Assert.Equal(7, (await Ids(reader, data, 7, "IVF8", k: 10))[0]);

        // With every image deleted an Ivf cannot be trained: a search that still answers loaded the saved one.
        await using (var writer = EmbeddedCollection.OpenForWriting(Folder))
        {
            await writer.DeleteAsync([.. Enumerable.Range(0, 400).Select(i => (long)i)]);
            await writer.CommitAsync();
        }
        await using var emptied = EmbeddedCollection.OpenReadOnly(Folder);
        Assert.Empty(await Ids(emptied, data, 7, "Ivf(lists=8)"));
        Assert.Throws<Errors.LookalikeException>(() => Ids(emptied, data, 7, "Ivf(lists=16)").GetAwaiter().GetResult());
    }

    [Fact]
    public async Task Rows_added_and_deleted_after_saving_are_taken_in_when_loading()
    {
        float[] data = await FilledAsync(300, DistanceMetric.L2, IvfSpec);
        float[] more = RandomVectors.Gaussian(350, D, seed: 3);
        await using (var writer = EmbeddedCollection.OpenForWriting(Folder))
        {
            for (int i = 300; i < 350; i++) await writer.AddAsync(Image(i, more));
            await writer.DeleteAsync([7, 320]);
            await writer.CommitAsync();
        }
        await using var reader = EmbeddedCollection.OpenReadOnly(Folder);
        Assert.Equal(300, reader.Info.Indexes[0].Rows);
        // nprobe = lists: the loaded index must answer like the exact scan, new rows included, deleted ones gone.
        for (int row = 300; row < 350; row += 7)
        {
            if (row == 320) continue;
            var exact = await Ids(reader, more, row, "Flat");
            Assert.Equal(exact, await Ids(reader, more, row, IvfSpec));
            Assert.Equal(row, exact[0]);
        }
        Assert.DoesNotContain(7L, await Ids(reader, data, 7, IvfSpec, k: 20));
        Assert.DoesNotContain(320L, await Ids(reader, more, 320, IvfSpec, k: 20));
    }

    [Fact]
    public async Task Indexing_again_brings_saved_indexes_up_to_date_and_reindex_retrains_them()
    {
        await FilledAsync(200, DistanceMetric.L2, IvfSpec);
        float[] more = RandomVectors.Gaussian(500, D, seed: 3);
        await using var writer = EmbeddedCollection.OpenForWriting(Folder);
        for (int i = 200; i < 500; i++) await writer.AddAsync(Image(i, more));
        var updates = new List<ProgressUpdate>();
        var caughtUp = writer.SaveIndexes([], progress: new Collect(updates));
        Assert.Equal((500L, 200L), (caughtUp[0].Rows, caughtUp[0].TrainedOn));
        Assert.True(caughtUp[0].IsStaleFor(writer.Count), "grown past twice what it was trained on");
        Assert.Contains(updates, u => u.Stage.StartsWith("Bringing", StringComparison.Ordinal));
        var rebuilt = writer.SaveIndexes([], rebuild: true);
        Assert.Equal((500L, 500L), (rebuilt[0].Rows, rebuilt[0].TrainedOn));
        Assert.False(rebuilt[0].IsStaleFor(writer.Count));
    }

    [Fact]
    public async Task A_damaged_index_file_is_rebuilt_rather_than_used()
    {
        float[] data = await FilledAsync(300, DistanceMetric.L2, IvfSpec);
        string file = Directory.GetFiles(Path.Combine(Folder, "indexes"), "*.lkidx").Single();
        var bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, bytes[..(bytes.Length / 2)]);
        await using var reader = EmbeddedCollection.OpenReadOnly(Folder);
        Assert.Equal(await Ids(reader, data, 11, "Flat"), await Ids(reader, data, 11, IvfSpec));
    }

    [Fact]
    public async Task An_index_of_a_type_the_program_does_not_know_is_refused_by_name()
    {
        await FilledAsync(50);
        await using var writer = EmbeddedCollection.OpenForWriting(Folder);
        var error = Assert.Throws<Errors.LookalikeException>(() => writer.SaveIndexes(["Annoy(trees=3)"]));
        Assert.Contains("Unknown index type 'Annoy'", error.Message);
        Assert.Empty(writer.Info.Indexes);
    }

    public void Dispose() => _temp.Dispose();

    private sealed class Collect(List<ProgressUpdate> into) : IProgress<ProgressUpdate>
    {
        public void Report(ProgressUpdate value) => into.Add(value);
    }
}
