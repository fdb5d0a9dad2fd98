using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Lookalike.Features;
using Lookalike.IO;

namespace Lookalike.Indexing;

/// <summary>A file that stopped an earlier run while it was being decoded.</summary>
/// <param name="Path">The file.</param>
/// <param name="Size">Its size then.</param>
/// <param name="LastWriteTicks">Its last write time then (UTC ticks): a changed file is tried again.</param>
public sealed record CrashedFile(string Path, long Size, long LastWriteTicks);

/// <summary>
/// The file-based <see cref="IDecodeJournal"/> of a collection folder: each decode in progress is a
/// small file in <c>decoding/</c>, created before the decoder runs and deleted after it returns. A
/// process killed by the decoder (a native crash cannot be caught) leaves its file behind; the next
/// run moves such files into <c>crashed-files.json</c>, and the indexer skips those files, naming
/// them, until they change. Nothing is flushed to disk per image: a killed process's writes survive
/// in the page cache, which is all this needs.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class DecodeJournal : IDecodeJournal
{
    private const string InFlightFolder = "decoding";
    private const string CrashedListFile = "crashed-files.json";
    private readonly string _inFlight;
    private readonly string _crashedPath;
    private readonly Dictionary<string, CrashedFile> _crashed;

    /// <summary>Opens the journal in <paramref name="folder"/> (the collection's) and settles what an earlier run left.</summary>
    public DecodeJournal(string folder)
    {
        _inFlight = Path.Combine(folder, InFlightFolder);
        _crashedPath = Path.Combine(folder, CrashedListFile);
        var listed = ReadCrashed(_crashedPath);
        // A file that changed or went away since it crashed a run is tried again: it leaves the list.
        _crashed = listed.Where(StillTheSame).ToDictionary(c => c.Path, StringComparer.Ordinal);
        Directory.CreateDirectory(_inFlight);
        bool changed = _crashed.Count != listed.Count;
        foreach (string leftover in Directory.EnumerateFiles(_inFlight))
        {
            string path = File.ReadAllText(leftover, Encoding.UTF8);
            var info = new FileInfo(path);
            if (path.Length > 0 && info.Exists)
            {
                _crashed[path] = new CrashedFile(path, info.Length, info.LastWriteTimeUtc.Ticks);
                changed = true;
            }
            File.Delete(leftover);
        }
        if (changed) Save();
    }

    /// <summary>Files that stopped an earlier run, in path order.</summary>
    public IReadOnlyList<CrashedFile> Crashed
    {
        get
        {
            lock (_crashed) return [.. _crashed.Values.OrderBy(c => c.Path, StringComparer.Ordinal)];
        }
    }

    /// <summary>Whether <paramref name="path"/>, as it is now, stopped an earlier run.</summary>
    public bool HasCrashed(string path, long size, long lastWriteTicks)
    {
        lock (_crashed)
            return _crashed.TryGetValue(path, out var crashed) && crashed.Size == size && crashed.LastWriteTicks == lastWriteTicks;
    }

    /// <inheritdoc/>
    public IDisposable Begin(string source)
    {
        string marker = Path.Combine(_inFlight, $"{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(source)))[..32]}-{Environment.CurrentManagedThreadId}");
        File.WriteAllText(marker, source, Encoding.UTF8);
        return new Scope(marker);
    }

    private static bool StillTheSame(CrashedFile crashed)
    {
        var info = new FileInfo(crashed.Path);
        return info.Exists && info.Length == crashed.Size && info.LastWriteTimeUtc.Ticks == crashed.LastWriteTicks;
    }

    private void Save()
    {
        lock (_crashed)
        {
            var list = _crashed.Values.OrderBy(c => c.Path, StringComparer.Ordinal).ToList();
            AtomicFile.Write(_crashedPath, s => JsonSerializer.Serialize(s, list));
        }
    }

    private static List<CrashedFile> ReadCrashed(string path)
    {
        if (!File.Exists(path)) return [];
        try
        {
            return JsonSerializer.Deserialize<List<CrashedFile>>(File.ReadAllBytes(path)) ?? [];
        }
        catch (JsonException)
        {
            // Only a hint for skipping files; a damaged list is started afresh.
            return [];
        }
    }

    private sealed class Scope(string marker) : IDisposable
    {
        public void Dispose() => File.Delete(marker);
    }
}
