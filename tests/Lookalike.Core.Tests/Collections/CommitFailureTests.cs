using Lookalike.Collections;
using Lookalike.Errors;
using Lookalike.Indexes;
using Lookalike.Tests.Common;

namespace Lookalike.Core.Tests.Collections;

/// <summary>A commit that fails (a full disk, a file system refusing a write) confirms nothing that a restart would not find.</summary>
public sealed class CommitFailureTests : IDisposable
{
    private const int D = 8;
    private static readonly ModelReference Model = new("test-model", new string('a', 64), "/models/test.onnx", D, "none");
    private readonly TempDirectory _temp = new();

    private string Folder => _temp.Combine("collection");

    private static NewImage Image(int i, float[] data) =>
        new($"/photos/{i}.jpg", $"{i:x64}", null, 1000 + i, 32, 32, data.AsSpan(i * D, D).ToArray());

    [Fact]
    public async Task A_failed_commit_undoes_its_adds_deletions_and_file_states_in_memory()
    {
        float[] data = RandomVectors.Gaussian(10, D, seed: 3);
        await using var collection = EmbeddedCollection.OpenOrCreate(Folder, Model, DistanceMetric.L2, "Flat");
        for (int i = 0; i < 5; i++) await collection.AddAsync(Image(i, data));
        await collection.CommitAsync(); // generation 2
        // The next metadata generation cannot be written: its name is taken by a folder.
        Directory.CreateDirectory(Path.Combine(Folder, "metadata-000003.json"));
        for (int i = 5; i < 8; i++) await collection.AddAsync(Image(i, data));
        await collection.DeleteAsync([1]);
        await collection.RecordFileStateAsync("/photos/5.jpg", new FileState(1005, 1, $"{5:x64}"));
        await collection.SearchAsync(data.AsMemory(0, D), new SearchOptions(3)); // an index that saw the changes

        var error = await Assert.ThrowsAsync<StorageException>(() => collection.CommitAsync().AsTask());
        Assert.Contains("3 image(s) since the last commit were not stored", error.Message);
        Assert.Equal(5, collection.Count);
        Assert.Null(await collection.FindByHashAsync($"{6:x64}"));
        Assert.NotNull(await collection.GetAsync(1));
        Assert.Null(await collection.GetFileStateAsync("/photos/5.jpg"));
        var hits = (await collection.SearchAsync(data.AsMemory(6 * D, D), new SearchOptions(10))).Hits;
        Assert.Equal([0, 1, 2, 3, 4], hits.Select(h => h.Image.Id).Order());

        // Once the storage works again, the same images are added with the same ids and kept.
        Directory.Delete(Path.Combine(Folder, "metadata-000003.json"));
        for (int i = 5; i < 8; i++) Assert.Equal((i, true), await collection.AddAsync(Image(i, data)));
        await collection.CommitAsync();
        await using var reopened = EmbeddedCollection.OpenReadOnly(_temp.Combine("collection"));
        Assert.Equal(8, reopened.Count);
    }

    [Fact]
    public async Task A_full_disk_is_named_as_such()
    {
        Directory.CreateDirectory(Folder);
        File.CreateSymbolicLink(Path.Combine(Folder, "vectors.f32"), "/dev/full");
        await using var collection = EmbeddedCollection.OpenOrCreate(Folder, Model, DistanceMetric.L2, "Flat");
        await collection.AddAsync(Image(0, RandomVectors.Gaussian(1, D, seed: 1)));
        var error = await Assert.ThrowsAsync<StorageException>(() => collection.CommitAsync().AsTask());
        Assert.True(error.IsFull);
        Assert.Contains("the disk is full", error.Message);
        Assert.Equal(0, collection.Count);
    }

    [Fact]
    public async Task A_second_writer_is_told_the_collection_is_busy()
    {
        await using var first = EmbeddedCollection.OpenOrCreate(Folder, Model, DistanceMetric.L2, "Flat");
        var error = Assert.Throws<LookalikeException>(() => EmbeddedCollection.OpenOrCreate(Folder, Model, DistanceMetric.L2, "Flat"));
        Assert.IsNotType<StorageException>(error);
        Assert.Contains("is being written by another process", error.Message);
    }

    [Fact]
    public async Task Metadata_generations_left_by_a_crash_are_removed_on_open()
    {
        await using (var collection = EmbeddedCollection.OpenOrCreate(Folder, Model, DistanceMetric.L2, "Flat"))
        {
            await collection.AddAsync(Image(0, RandomVectors.Gaussian(1, D, seed: 1)));
            await collection.CommitAsync();
        }
        File.WriteAllText(Path.Combine(Folder, "metadata-000001.json"), "{}");
        File.WriteAllText(Path.Combine(Folder, "metadata-000007.json"), "{}");
        await using var reopened = EmbeddedCollection.OpenOrCreate(Folder, Model, DistanceMetric.L2, "Flat");
        Assert.Equal(["metadata-000002.json"], Directory.GetFiles(Folder, "metadata-*.json").Select(Path.GetFileName));
        Assert.Equal(1, reopened.Count);
    }

    [Fact]
    public async Task A_reader_takes_in_later_commits_into_its_loaded_index()
    {
        float[] data = RandomVectors.Gaussian(20, D, seed: 5);
        await using var writer = EmbeddedCollection.OpenOrCreate(Folder, Model, DistanceMetric.L2, "Flat");
        for (int i = 0; i < 10; i++) await writer.AddAsync(Image(i, data));
        await writer.CommitAsync();
        await using var reader = EmbeddedCollection.OpenReadOnly(Folder);
        Assert.Single((await reader.SearchAsync(data.AsMemory(15 * D, D), new SearchOptions(1))).Hits); // the index is loaded now
        Assert.False(reader.Refresh());

        for (int i = 10; i < 20; i++) await writer.AddAsync(Image(i, data));
        await writer.DeleteAsync([3]);
        await writer.CommitAsync();
        Assert.True(reader.Refresh());
        Assert.Equal(19, reader.Count);
        Assert.Equal(15, (await reader.SearchAsync(data.AsMemory(15 * D, D), new SearchOptions(1))).Hits[0].Image.Id);
        Assert.DoesNotContain(3L, (await reader.SearchAsync(data.AsMemory(3 * D, D), new SearchOptions(19))).Hits.Select(h => h.Image.Id));
    }

    public void Dispose() => _temp.Dispose();
}
