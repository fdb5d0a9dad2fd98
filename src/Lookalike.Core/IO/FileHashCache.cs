using System.Text.Json;

namespace Lookalike.IO;

/// <summary>
/// SHA-256 of large files (models) remembered by full path, length and last write time, so that a
/// second run does not read a 100 MB file whole before it can answer. An entry is trusted only while
/// all three match (as make and rsync trust them); one small file per path, written atomically, so
/// concurrent runs never see half an entry. A folder that cannot be written only costs the hashing.
/// </summary>
public sealed class FileHashCache(string folder)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The folder holding the entries.</summary>
    public string Folder => folder;

    /// <summary>The hash of the file at <paramref name="path"/>: remembered when it has not changed, else computed (and remembered).</summary>
    public string Sha256Of(string path)
    {
        var file = new FileInfo(Path.GetFullPath(path));
        var key = new Entry(file.FullName, file.Length, file.LastWriteTimeUtc.Ticks, "");
        string entryPath = Path.Combine(folder, FileHash.Sha256Of(System.Text.Encoding.UTF8.GetBytes(key.Path))[..32] + ".json");
        if (Read(entryPath) is { } known && known with { Sha256 = "" } == key) return known.Sha256;
        string sha256 = FileHash.Sha256Of(file.FullName);
        // The file may have changed while it was read: remember the hash only for what was there before and after.
        file.Refresh();
        if (file.Length == key.Length && file.LastWriteTimeUtc.Ticks == key.Ticks) Write(entryPath, key with { Sha256 = sha256 });
        return sha256;
    }

    private static Entry? Read(string entryPath)
    {
        try
        {
            if (!File.Exists(entryPath)) return null;
            var entry = JsonSerializer.Deserialize<Entry>(File.ReadAllText(entryPath), Json);
            return entry is { Sha256.Length: 64 } ? entry : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    private void Write(string entryPath, Entry entry)
    {
        try
        {
            Directory.CreateDirectory(folder);
            AtomicFile.WriteAllText(entryPath, JsonSerializer.Serialize(entry, Json));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A read-only data folder: the next run hashes again.
        }
    }

    /// <summary>One remembered hash.</summary>
    private sealed record Entry(string Path, long Length, long Ticks, string Sha256);
}
