using System.IO.MemoryMappedFiles;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Lookalike.Errors;
using Lookalike.Features;
using Lookalike.IO;
using Lookalike.Onnx.Stages;
using Lookalike.Progress;
using Lookalike.Training.Convolutions;

namespace Lookalike.Training.Stages;

/// <summary>
/// The maps a stage starts from, computed once per image by the trunk and kept as float16 in one
/// append-only file (≈ 400 KB per image for ResNet50's 1024×14×14), read back through a memory map.
/// Keyed by the trunk's hash and its preprocessing (the folder) and by each file's content hash
/// (its row), so a renamed or re-split dataset computes nothing again. A row is written and flushed
/// before its hash is listed, so an interrupted fill resumes where it stopped and never reads a
/// half-written row.
/// </summary>
public sealed class StageMapCache : IDisposable
{
    private const string MapsFile = "maps.f16";
    private const string RowsFile = "rows.txt";
    private readonly string _folder;
    private readonly FileStream _lock;
    private readonly Dictionary<string, int> _rows = new(StringComparer.Ordinal);
    private MemoryMappedFile? _map;
    private MemoryMappedViewAccessor? _view;
    private ushort[]? _row;

    private StageMapCache(string folder, MapShape shape, FileStream lockFile)
    {
        (_folder, Shape, _lock) = (folder, shape, lockFile);
        string[] lines = File.Exists(Path.Combine(folder, RowsFile)) ? File.ReadAllLines(Path.Combine(folder, RowsFile)) : [];
        long stored = File.Exists(Path.Combine(folder, MapsFile)) ? new FileInfo(Path.Combine(folder, MapsFile)).Length / RowBytes : 0;
        foreach (string line in lines)
        {
            // Only whole hashes of rows whose data is all there (a crash can cut either file short).
            if (_rows.Count >= stored || line.Length != 64) break;
            _rows.TryAdd(line, _rows.Count);
        }
        using (var maps = new FileStream(Path.Combine(folder, MapsFile), FileMode.OpenOrCreate, FileAccess.Write)) maps.SetLength((long)_rows.Count * RowBytes);
        File.WriteAllLines(Path.Combine(folder, RowsFile), _rows.OrderBy(r => r.Value).Select(r => r.Key));
    }

    /// <summary>Shape of one image's maps.</summary>
    public MapShape Shape { get; }

    /// <summary>Images stored.</summary>
    public int Count => _rows.Count;

    private long RowBytes => (long)Shape.Length * sizeof(ushort);

    /// <summary>The cache of <paramref name="trunk"/>'s maps under <paramref name="cacheDirectory"/> (created when new).</summary>
    /// <exception cref="LookalikeException">when another run is filling the same cache.</exception>
    public static StageMapCache Open(string cacheDirectory, IFeatureExtractor trunk, MapShape shape)
    {
        var model = trunk.Metadata;
        if (model.Dimension != shape.Length)
            throw new LookalikeException($"The trunk '{model.ModelPath}' gives {model.Dimension} values per image, not {shape.Channels}×{shape.Height}×{shape.Width}.");
        string key = FileHash.Sha256Of(System.Text.Encoding.UTF8.GetBytes($"{model.ModelSha256}\n{model.Preprocessing}"))[..16];
        string folder = Path.Combine(cacheDirectory, "stage-maps", $"{model.ModelSha256[..16]}-{key}");
        Directory.CreateDirectory(folder);
        FileStream lockFile;
        try
        {
            lockFile = new FileStream(Path.Combine(folder, "lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new LookalikeException($"Another run is filling the map cache '{folder}'; wait for it to finish.");
        }
        return new StageMapCache(folder, shape, lockFile);
    }

    /// <summary>
    /// The row of each file's maps (−1 for a file that could not be read or decoded), computing the missing
    /// ones with <paramref name="trunk"/> and reporting progress over the files to compute.
    /// </summary>
    public async Task<int[]> FillAsync(IReadOnlyList<string> files, IFeatureExtractor trunk, IProgress<ProgressUpdate>? progress,
        CancellationToken cancellationToken)
    {
        CloseMap();
        var hashes = new string?[files.Count];
        var missing = new List<int>();
        var queued = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < files.Count; i++)
        {
            try
            {
                hashes[i] = FileHash.Sha256Of(files[i]);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            if (!_rows.ContainsKey(hashes[i]!) && queued.Add(hashes[i]!)) missing.Add(i);
        }
        if (missing.Count > 0)
        {
            await using var maps = new FileStream(Path.Combine(_folder, MapsFile), FileMode.Append, FileAccess.Write, FileShare.Read);
            await using var rows = new StreamWriter(new FileStream(Path.Combine(_folder, RowsFile), FileMode.Append, FileAccess.Write, FileShare.Read));
            var row = new byte[RowBytes];
            int done = 0;
            progress?.Report(new ProgressUpdate("Computing stage input maps", 0, missing.Count));
            await foreach (var result in trunk.ExtractStreamAsync(Inputs(files, missing, cancellationToken), cancellationToken))
            {
                done++;
                if (result.Features is { } values)
                {
                    System.Numerics.Tensors.TensorPrimitives.ConvertToHalf(values, MemoryMarshal.Cast<byte, Half>(row.AsSpan()));
                    await maps.WriteAsync(row, cancellationToken);
                    await maps.FlushAsync(cancellationToken);
                    string hash = hashes[(int)result.Input.Tag!]!;
                    await rows.WriteLineAsync(hash);
                    await rows.FlushAsync(cancellationToken);
                    _rows[hash] = _rows.Count;
                }
                progress?.Report(new ProgressUpdate("Computing stage input maps", done, missing.Count, Path.GetFileName(result.Input.Source)));
            }
        }
        return [.. hashes.Select(h => h is not null && _rows.TryGetValue(h, out int row) ? row : -1)];
    }

    /// <summary>The maps of <paramref name="rows"/> as one channel-major batch.</summary>
    public FeatureMaps Read(ReadOnlySpan<int> rows) => Read(rows, new FeatureMaps(Shape.Channels, rows.Length, Shape.Height, Shape.Width));

    /// <summary>The maps of <paramref name="rows"/> written into <paramref name="maps"/> (a batch of their number in the cache's shape), which it returns.</summary>
    public FeatureMaps Read(ReadOnlySpan<int> rows, FeatureMaps maps)
    {
        if ((maps.Channels, maps.Batch, maps.Height, maps.Width) != (Shape.Channels, rows.Length, Shape.Height, Shape.Width))
            throw new ArgumentException($"A batch of {rows.Length} maps of {Shape.Channels}×{Shape.Height}×{Shape.Width} does not fit " +
                $"{maps.Batch} of {maps.Channels}×{maps.Height}×{maps.Width}.", nameof(maps));
        for (int n = 0; n < rows.Length; n++) ReadInto(rows[n], maps, n);
        return maps;
    }

    /// <summary>The maps of <paramref name="row"/> written as image <paramref name="n"/> of <paramref name="maps"/> (a batch in the cache's shape).</summary>
    public void ReadInto(int row, FeatureMaps maps, int n)
    {
        if ((maps.Channels, maps.Height, maps.Width) != (Shape.Channels, Shape.Height, Shape.Width) || (uint)n >= (uint)maps.Batch)
            throw new ArgumentException($"Image {n} of a batch of {maps.Batch} maps of {maps.Channels}×{maps.Height}×{maps.Width} cannot take " +
                $"{Shape.Channels}×{Shape.Height}×{Shape.Width}.", nameof(maps));
        var view = View();
        int area = Shape.Height * Shape.Width;
        var half = _row ??= new ushort[Shape.Length];
        view.ReadArray((long)row * RowBytes, half, 0, half.Length);
        var source = MemoryMarshal.Cast<ushort, Half>(half.AsSpan());
        for (int c = 0; c < Shape.Channels; c++)
        {
            var target = maps.Data.AsSpan(((c * maps.Batch) + n) * area, area);
            System.Numerics.Tensors.TensorPrimitives.ConvertToSingle(source.Slice(c * area, area), target);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        CloseMap();
        _lock.Dispose();
    }

    private MemoryMappedViewAccessor View()
    {
        if (_view is not null) return _view;
        if (_rows.Count == 0) throw new LookalikeException($"The map cache '{_folder}' holds no maps yet.");
        _map = MemoryMappedFile.CreateFromFile(Path.Combine(_folder, MapsFile), FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        _view = _map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        return _view;
    }

    private void CloseMap()
    {
        _view?.Dispose();
        _map?.Dispose();
        (_view, _map) = (null, null);
    }

    private static async IAsyncEnumerable<ImageInput> Inputs(IReadOnlyList<string> files, List<int> indexes,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (int i in indexes)
        {
            byte[] bytes;
            try
            {
                bytes = await File.ReadAllBytesAsync(files[i], cancellationToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            yield return new ImageInput(files[i], bytes, i);
        }
    }
}
