using Lookalike.Collections;
using Lookalike.Errors;
using Lookalike.Indexes;
using Lookalike.IO;
using Lookalike.Tests.Common;

namespace Lookalike.Core.Tests.Collections;

public sealed class EmbeddedCollectionTests : IDisposable
{
    private const int D = 16;
    private static readonly ModelReference Model = new("test-model", new string('a', 64), "/models/test.onnx", D, "none");
    private readonly TempDirectory _temp = new();

    private string Folder => _temp.Combine("collection");

    private static NewImage Image(int i, float[] data, string? label = null) =>
        new($"/photos/{i}.jpg", $"{i:x64}", label, 1000 + i, 32, 32, data.AsSpan(i * D, D).ToArray());

    private static async Task<IReadOnlyList<long>> Nearest(ImageCollection collection, float[] data, int row, int k = 3) =>
        (await collection.SearchAsync(data.AsMemory(row * D, D), new SearchOptions(k))).Hits.Select(h => h.Image.Id).ToList();

    [Fact]
    public async Task Committed_images_survive_reopening_with_their_metadata()
    {
        float[] data = RandomVectors.Gaussian(20, D, seed: 1);
        await using (var collection = EmbeddedCollection.OpenOrCreate(Folder, Model, DistanceMetric.L2, "Flat"))
        {
            for (int i = 0; i < 20; i++) Assert.Equal((i, true), await collection.AddAsync(Image(i, data, i % 2 == 0 ? "even" : "odd")));
            await collection.CommitAsync();
        }
        await using var reopened = EmbeddedCollection.OpenReadOnly(Folder);
        Assert.Equal(20, reopened.Info.Count);
        Assert.Equal(DistanceMetric.L2, reopened.Info.Metric);
        var image = await reopened.GetAsync(7);
        Assert.Equal(("/photos/7.jpg", "odd", 1007L), (image!.Path, image.Label, image.Bytes));
        Assert.Equal(data.AsSpan(7 * D, D).ToArray(), await reopened.GetFeaturesAsync(7));
        Assert.Equal(7, (await Nearest(reopened, data, 7))[0]);
        Assert.Equal(20, await reopened.ListAsync().CountAsync());
    }

    [Fact]
    public async Task Indexes_that_need_training_are_trained_on_the_live_vectors()
    {
        float[] data = RandomVectors.Gaussian(300, D, seed: 9);
        await using var collection = EmbeddedCollection.OpenOrCreate(Folder, Model, DistanceMetric.L2, "Flat");
        for (int i = 0; i < 300; i++) await collection.AddAsync(Image(i, data));
        await collection.DeleteAsync([5]);
        await collection.CommitAsync();
        // Every list probed: the clustered index must then answer exactly like the scan.
        var options = new SearchOptions(5, IndexSpec: "Ivf(lists=4,nprobe=4)");
        var response = await collection.SearchAsync(data.AsMemory(7 * D, D), options);
        Assert.Equal(await Nearest(collection, data, 7, 5), response.Hits.Select(h => h.Image.Id).ToList());
        Assert.Equal(299, response.Stats.CandidatesVisited);
        var pca = await collection.SearchAsync(data.AsMemory(9 * D, D), new SearchOptions(1, IndexSpec: "PCA4,IVF2"));
        Assert.Equal(9, pca.Hits[0].Image.Id);
    }

    [Fact]
    public async Task The_same_content_is_stored_once()
    {
        float[] data = RandomVectors.Gaussian(2, D, seed: 2);
        await using var collection = EmbeddedCollection.OpenOrCreate(Folder, Model, DistanceMetric.Cosine, "Flat");
        Assert.Equal((0, true), await collection.AddAsync(Image(0, data)));
        Assert.Equal((0, false), await collection.AddAsync(Image(0, data) with { Path = "/elsewhere/copy.jpg" }));
        Assert.Equal(1, collection.Info.Count);
    }

    [Fact]
    public async Task An_interrupted_commit_leaves_the_last_good_state()
    {
        float[] data = RandomVectors.Gaussian(15, D, seed: 3);
        await using (var collection = EmbeddedCollection.OpenOrCreate(Folder, Model, DistanceMetric.L2, "Flat"))
        {
            for (int i = 0; i < 10; i++) await collection.AddAsync(Image(i, data));
            await collection.CommitAsync();
        }
        // What a crash mid-commit leaves: vectors appended past the manifest's rows, a newer
        // metadata generation the manifest never named, and a half-written temporary file.
        await File.AppendAllBytesAsync(Path.Combine(Folder, "vectors.f32"), new byte[5 * D * sizeof(float)]);
        await File.WriteAllTextAsync(Path.Combine(Folder, "metadata-999999.json"), "{ \"images\": [ broken");
        await File.WriteAllTextAsync(Path.Combine(Folder, "manifest.json.123.tmp"), "{");

        await using (var collection = EmbeddedCollection.OpenOrCreate(Folder, Model, DistanceMetric.L2, "Flat"))
        {
            Assert.Equal(10, collection.Info.Count);
            Assert.Equal(10L * D * sizeof(float), new FileInfo(Path.Combine(Folder, "vectors.f32")).Length);
            Assert.False(File.Exists(Path.Combine(Folder, "manifest.json.123.tmp")));
            for (int i = 10; i < 15; i++) await collection.AddAsync(Image(i, data));
            await collection.CommitAsync();
        }
        await using var reopened = EmbeddedCollection.OpenReadOnly(Folder);
        Assert.Equal(15, reopened.Info.Count);
        Assert.Equal(12, (await Nearest(reopened, data, 12))[0]);
    }

    [Fact]
    public async Task Uncommitted_changes_are_not_visible_after_a_crash()
    {
        float[] data = RandomVectors.Gaussian(4, D, seed: 4);
        var collection = EmbeddedCollection.OpenOrCreate(Folder, Model, DistanceMetric.L2, "Flat");
        await collection.AddAsync(Image(0, data));
        await collection.CommitAsync();
        await collection.AddAsync(Image(1, data));
        await collection.DisposeAsync(); // no commit: as if the process died here

        await using var reopened = EmbeddedCollection.OpenReadOnly(Folder);
        Assert.Equal(1, reopened.Info.Count);
    }

    [Fact]
    public async Task Deleted_images_are_gone_after_reopening()
    {
        float[] data = RandomVectors.Gaussian(6, D, seed: 5);
        await using (var collection = EmbeddedCollection.OpenOrCreate(Folder, Model, DistanceMetric.L2, "Flat"))
        {
            for (int i = 0; i < 6; i++) await collection.AddAsync(Image(i, data));
            Assert.Equal(0, (await Nearest(collection, data, 0))[0]);
            Assert.Equal(1, await collection.DeleteAsync([0, 0, 99]));
            Assert.DoesNotContain(0L, await Nearest(collection, data, 0, k: 6));
            await collection.CommitAsync();
        }
        await using var reopened = EmbeddedCollection.OpenReadOnly(Folder);
        Assert.Equal(5, reopened.Info.Count);
        Assert.Null(await reopened.GetAsync(0));
        Assert.DoesNotContain(0L, await Nearest(reopened, data, 0, k: 6));
    }

    [Fact]
    public async Task Another_model_or_a_second_writer_is_refused()
    {
        await using var collection = EmbeddedCollection.OpenOrCreate(Folder, Model, DistanceMetric.L2, "Flat");
        var other = Model with { Sha256 = new string('b', 64), Id = "other-model" };
        var mismatch = Assert.Throws<CollectionMismatchException>(() => collection.EnsureModel(other));
        Assert.Contains("other-model", mismatch.Message);
        var locked = Assert.Throws<CollectionBusyException>(() => EmbeddedCollection.OpenOrCreate(Folder, Model, DistanceMetric.L2, "Flat"));
        Assert.Contains("another process", locked.Message);
    }

    [Fact]
    public async Task Queries_of_the_wrong_dimension_and_missing_collections_are_clear_errors()
    {
        await using var collection = EmbeddedCollection.OpenOrCreate(Folder, Model, DistanceMetric.L2, "Flat");
        var error = await Assert.ThrowsAsync<LookalikeException>(async () => await collection.SearchAsync(new float[D + 1], new SearchOptions()));
        Assert.Contains($"{D}-d", error.Message);
        var missing = Assert.Throws<LookalikeException>(() => EmbeddedCollection.OpenReadOnly(_temp.Combine("nothing-here")));
        Assert.Contains("not a Lookalike collection", missing.Message);
    }

    [Fact]
    public async Task Readers_opening_during_commits_always_see_a_consistent_collection()
    {
        float[] data = RandomVectors.Gaussian(60, D, seed: 6);
        await using var writer = EmbeddedCollection.OpenOrCreate(Folder, Model, DistanceMetric.L2, "Flat");
        var writing = Task.Run(async () =>
        {
            for (int i = 0; i < 60; i++)
            {
                await writer.AddAsync(Image(i, data));
                await writer.CommitAsync();
            }
        });
        long last = 0;
        while (!writing.IsCompleted)
        {
            await using var reader = EmbeddedCollection.OpenReadOnly(Folder);
            long count = reader.Info.Count;
            Assert.True(count >= last, "a reader never sees fewer images than an earlier one");
            var (images, vectors) = reader.ReadAll();
            Assert.Equal(images.Count * D, vectors.Length);
            last = count;
        }
        await writing;
    }

    [Fact]
    public void An_atomic_write_that_fails_keeps_the_old_file()
    {
        string path = _temp.Combine("file.txt");
        AtomicFile.WriteAllText(path, "old");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.Write("new, half written"u8);
            throw new InvalidOperationException("disk full");
        }));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_temp.Path));
    }

    public void Dispose() => _temp.Dispose();
}

/// <summary>The embedded folder store passes the collection contract.</summary>
public sealed class EmbeddedCollectionConformanceTests : ImageCollectionConformanceTests, IDisposable
{
    private readonly TempDirectory _temp = new();
    private int _next;

    protected override ICollectionProvider Provider { get; } = new EmbeddedCollectionProvider(IndexRegistry.Builtin);

    protected override string NewLocation() => _temp.Combine($"collection-{Interlocked.Increment(ref _next)}");

    public void Dispose() => _temp.Dispose();
}
