using Lookalike.Collections;
using Lookalike.Errors;
using Lookalike.Features;
using Lookalike.Indexes;
using Lookalike.Indexing;
using Lookalike.IO;
using Lookalike.Progress;

namespace Lookalike.Evaluation.Datasets;

/// <summary>
/// Turns a dataset argument into labelled vectors:
/// <list type="bullet">
/// <item><c>fashion-mnist:train</c> / <c>fashion-mnist:test</c> — raw pixels from Debian's IDX files;</item>
/// <item><c>fashion-mnist-images:train|test</c> — the same images through the feature extractor;</item>
/// <item>a <c>.npy</c> or <c>.fvecs</c> file, labels (one a line) from <c>FILE.labels.txt</c> when present;</item>
/// <item>a collection folder (holding manifest.json) — its vectors and labels;</item>
/// <item>a folder of images laid out <c>class/image</c> — features extracted once into a content-addressed cache
/// collection per model (file sha256 → vector); a moved, renamed or re-split folder extracts nothing again.</item>
/// </list>
/// </summary>
public sealed class DatasetLoader(Func<IFeatureExtractor> extractor, string cacheDirectory, ICollectionProvider? collections = null)
{
    /// <summary>Loads <paramref name="source"/>.</summary>
    public async Task<LabeledVectors> LoadAsync(string source, IProgress<ProgressUpdate>? progress = null,
        CancellationToken cancellationToken = default)
    {
        if (source.StartsWith("fashion-mnist-images:", StringComparison.OrdinalIgnoreCase))
        {
            string split = source["fashion-mnist-images:".Length..];
            string folder = FashionMnist.ExportImages(split, Path.Combine(cacheDirectory, "fashion-mnist-images", split));
            return await FromImagesAsync(folder, progress, cancellationToken) with { Source = source };
        }
        if (source.StartsWith("fashion-mnist:", StringComparison.OrdinalIgnoreCase))
            return FashionMnist.Load(source["fashion-mnist:".Length..]);
        if (collections is not null && !CollectionLocations.IsFolder(source) && collections.Handles(source))
        {
            await using var stored = await collections.OpenAsync(source, CollectionAccess.Read, cancellationToken: cancellationToken);
            return await FromCollectionAsync(source, stored, cancellationToken);
        }
        if (File.Exists(source))
        {
            var (values, _, columns) = Path.GetExtension(source).ToLowerInvariant() switch
            {
                ".npy" => NpyFile.Read(source),
                ".fvecs" => FvecsFile.Read(source),
                _ => throw new LookalikeException($"'{source}': feature files must be .npy or .fvecs."),
            };
            return WithLabels(source, columns, values);
        }
        if (!Directory.Exists(source))
            throw new LookalikeException($"Dataset '{source}' is neither a folder, a .npy/.fvecs file nor fashion-mnist:train|test.");
        if (EmbeddedCollection.Exists(source))
        {
            await using var collection = EmbeddedCollection.OpenReadOnly(source);
            return await FromCollectionAsync(source, collection, cancellationToken);
        }
        return await FromImagesAsync(source, progress, cancellationToken);
    }

    /// <summary>
    /// Features of a folder's images through one cache per model (model file, preprocessing, head),
    /// keyed by file content: a file is extracted once whatever folder, name or split it is found
    /// under later (only its bytes are read and hashed again). Labels come from the folder as it is now.
    /// </summary>
    private async Task<LabeledVectors> FromImagesAsync(string folder, IProgress<ProgressUpdate>? progress, CancellationToken cancellationToken)
    {
        var scanned = ImageFiles.Scan(folder);
        var features = extractor();
        var model = features.Metadata.ToModelReference();
        string key = FileHash.Sha256Of(System.Text.Encoding.UTF8.GetBytes($"{model.Sha256}\n{model.Preprocessing}\n{model.Head}"))[..16];
        string cache = Path.Combine(cacheDirectory, "features", $"{model.Sha256[..16]}-{key}");
        string? privateCache = null;
        EmbeddedCollection collection;
        try
        {
            collection = EmbeddedCollection.OpenOrCreate(cache, model, DistanceMetric.Cosine, Flat.TypeName);
        }
        catch (CollectionBusyException)
        {
            // Another run is filling the shared cache: this one extracts into its own, dropped afterwards.
            privateCache = $"{cache}.{Environment.ProcessId}-{Guid.NewGuid():N}";
            collection = EmbeddedCollection.OpenOrCreate(privateCache, model, DistanceMetric.Cosine, Flat.TypeName);
        }
        try
        {
            return await ReadThroughAsync(collection, folder, scanned, features, progress, cancellationToken);
        }
        finally
        {
            await collection.DisposeAsync();
            if (privateCache is not null) Directory.Delete(privateCache, recursive: true);
        }
    }

    private static async Task<LabeledVectors> ReadThroughAsync(EmbeddedCollection collection, string folder, ImageFolder scanned,
        IFeatureExtractor features, IProgress<ProgressUpdate>? progress, CancellationToken cancellationToken)
    {
        var model = collection.Model;
        var report = await new FolderIndexer(collection, features).IndexAsync(scanned, progress, cancellationToken);
        if (report.Failures.Count > 0)
            progress?.Report(new ProgressUpdate("Skipped unreadable files", report.Failures.Count, report.Failures.Count, report.Failures[0].Path));
        var vectors = new List<float>(scanned.Images.Count * model.Dimension);
        var labels = new List<string?>();
        var names = new List<string>();
        var firstOfHash = new Dictionary<string, (string Path, string? Label)>(StringComparer.Ordinal);
        var identical = new List<MergedDuplicate>();
        foreach (string path in scanned.Images)
        {
            // A file that could not be used has no state (or its content is not stored): it is left out.
            if (await collection.GetFileStateAsync(path, cancellationToken) is not { } state) continue;
            if (await collection.FindByHashAsync(state.Sha256, cancellationToken) is not { } image) continue;
            vectors.AddRange((await collection.GetFeaturesAsync(image.Id, cancellationToken))!);
            string? label = ImageFiles.LabelFromFolder(scanned.Root, path);
            labels.Add(label);
            names.Add(path);
            if (firstOfHash.TryGetValue(state.Sha256, out var first)) identical.Add(new MergedDuplicate(path, label, first.Path, first.Label));
            else firstOfHash[state.Sha256] = (path, label);
        }
        return new LabeledVectors(folder, model.Dimension, [.. vectors], [.. labels], [.. names]) { Model = model, IdenticalFiles = identical };
    }

    private static async Task<LabeledVectors> FromCollectionAsync(string source, ImageCollection collection, CancellationToken cancellationToken)
    {
        var (images, vectors) = await collection.ReadAllAsync(cancellationToken);
        return new LabeledVectors(source, collection.Model.Dimension, vectors, images.Select(i => i.Label).ToArray(),
            images.Select(i => i.Path).ToArray())
        { Model = collection.Model };
    }

    private static LabeledVectors WithLabels(string path, int dimension, float[] values)
    {
        int rows = values.Length / dimension;
        string?[] labels = FeatureFiles.ReadLabels(path, rows);
        return new LabeledVectors(path, dimension, values, labels, Enumerable.Range(0, rows).Select(i => $"{Path.GetFileName(path)}[{i}]").ToArray());
    }
}
