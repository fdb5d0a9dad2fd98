using Lookalike.IO;
using Lookalike.Tests.Common;

namespace Lookalike.Core.Tests.IO;

public sealed class FileHashCacheTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    [Fact]
    public void A_remembered_hash_is_used_while_the_file_is_unchanged_and_computed_again_when_it_changes()
    {
        string file = _temp.Combine("model.onnx");
        File.WriteAllBytes(file, [1, 2, 3]);
        var cache = new FileHashCache(_temp.Combine("hashes"));
        string first = cache.Sha256Of(file);
        Assert.Equal(FileHash.Sha256Of(file), first);
        var entry = Assert.Single(Directory.GetFiles(cache.Folder));

        // The entry answers without reading the file: a planted hash for the same length and time is believed…
        string planted = File.ReadAllText(entry).Replace(first, new string('a', 64), StringComparison.Ordinal);
        File.WriteAllText(entry, planted);
        Assert.Equal(new string('a', 64), cache.Sha256Of(file));

        // …but not once the file changed: same length, other bytes, a later write time.
        File.WriteAllBytes(file, [9, 9, 9]);
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddMinutes(1));
        Assert.Equal(FileHash.Sha256Of(file), cache.Sha256Of(file));
        Assert.NotEqual(first, cache.Sha256Of(file));
    }

    [Fact]
    public void A_damaged_entry_or_a_folder_that_cannot_be_written_only_costs_the_hashing()
    {
        string file = _temp.Combine("model.onnx");
        File.WriteAllBytes(file, [4, 5, 6]);
        var cache = new FileHashCache(_temp.Combine("hashes"));
        cache.Sha256Of(file);
        File.WriteAllText(Assert.Single(Directory.GetFiles(cache.Folder)), "{ not json");
        Assert.Equal(FileHash.Sha256Of(file), cache.Sha256Of(file));

        // A file where the folder should be: nothing can be written, the hash is still right.
        string blocked = _temp.Combine("blocked");
        File.WriteAllText(blocked, "");
        Assert.Equal(FileHash.Sha256Of(file), new FileHashCache(blocked).Sha256Of(file));
    }

    public void Dispose() => _temp.Dispose();
}
