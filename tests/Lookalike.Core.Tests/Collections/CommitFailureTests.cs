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
        await collection.CommitAsync();
        // The next commit cannot append its vectors: the file is now a full device.
        string vectors = Path.Combine(Folder, "vectors.f32");
        File.Move(vectors, vectors + ".kept");
        File.CreateSymbolicLink(vectors, "/dev/full");
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
        File.Delete(vectors);
        File.Move(vectors + ".kept", vectors);
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
        var error = Assert.Throws<CollectionBusyException>(() => EmbeddedCollection.OpenOrCreate(Folder, Model, DistanceMetric.L2, "Flat"));
        Assert.IsNotType<StorageException>(error);
        Assert.Contains("is being written by another process", error.Message);
    }

    [Fact]
    public async Task A_format_1_collection_is_migrated_to_sqlite_on_open()
    {
        // A collection as earlier builds wrote it: rows and the metadata generation in the manifest, records in JSON.
        float[] data = RandomVectors.Gaussian(4, D, seed: 2);
        Directory.CreateDirectory(Folder);
        File.WriteAllBytes(Path.Combine(Folder, "vectors.f32"), System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.AsSpan()).ToArray());
        var now = DateTimeOffset.UtcNow;
        var images = Enumerable.Range(0, 4).Select(i => new ImageRecord(i, $"/photos/{i}.jpg", $"{i:x64}", "cat", 10 + i, 32, 32, now)).ToList();
        var metadata = new EmbeddedMetadata(images, [2], new() { ["/photos/0.jpg"] = new FileState(10, 99, $"{0:x64}") });
        File.WriteAllText(Path.Combine(Folder, "metadata-000003.json"), System.Text.Json.JsonSerializer.Serialize(metadata, EmbeddedFormat.Json));
        File.WriteAllText(Path.Combine(Folder, "metadata-000002.json"), "{}"); // left by a crash
        var manifest = new EmbeddedManifest(1, Model, "l2", "Flat", 4, 3, "metadata-000003.json", now, now);
        File.WriteAllText(Path.Combine(Folder, "manifest.json"), System.Text.Json.JsonSerializer.Serialize(manifest, EmbeddedFormat.Json));

        await using (var reader = EmbeddedCollection.OpenReadOnly(Folder))
        {
            Assert.Equal(3, reader.Count);
            Assert.Null(await reader.GetAsync(2));
            Assert.Equal(("/photos/3.jpg", "cat", 13L), ((await reader.GetAsync(3))!.Path, (await reader.GetAsync(3))!.Label, (await reader.GetAsync(3))!.Bytes));
            Assert.Equal(99, (await reader.GetFileStateAsync("/photos/0.jpg"))!.LastWriteTicks);
            Assert.Equal(1, (await reader.SearchAsync(data.AsMemory(D, D), new SearchOptions(1))).Hits[0].Image.Id);
        }
        Assert.Empty(Directory.GetFiles(Folder, "metadata-*.json"));
        Assert.True(File.Exists(Path.Combine(Folder, "metadata.db")));
        Assert.Contains("\"formatVersion\": 2", File.ReadAllText(Path.Combine(Folder, "manifest.json")));
        await using var writer = EmbeddedCollection.OpenOrCreate(Folder, Model, DistanceMetric.L2, "Flat");
        Assert.Equal((3L, false), await writer.AddAsync(new NewImage("/x.jpg", $"{3:x64}", null, 1, 1, 1, new float[D])));
        Assert.Equal((4L, true), await writer.AddAsync(new NewImage("/y.jpg", $"{9:x64}", null, 1, 1, 1, new float[D])));
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
