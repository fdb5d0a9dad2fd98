using System.Diagnostics;
using System.Globalization;
using Lookalike.Collections;
using Lookalike.Features;
using Lookalike.Indexes;
using Lookalike.Indexing;
using Lookalike.Onnx;
using SkiaSharp;

// Pipeline throughput: `lookalike index` end to end (read, hash, decode, preprocess, infer, store)
// against bare ONNX Runtime inference on tensors decoded beforehand, measured in the same run.
// Usage: dotnet run -c Release --project bench/Lookalike.Benchmarks [-- SHARED_DIR [CIFAR_COUNT] [LARGE_COUNT]]
//        ... -- decode [SHARED_DIR] [ROUNDS]         decoding in-process vs in the worker process, ms per image
//        ... -- uploads DIR COUNT [jpeg|png] [SHARED_DIR]  writes COUNT large distinct uploads (for bench/load/bursts)
//        ... -- synthetic OUT.npy ROWS DIM [SHARED_DIR]        synthetic features as export writes them, and a format-1 collection of them
//        ... -- commits WORK_DIR DIM SIZE...                    one commit of 1,000 rows into collections of each SIZE
//        ... -- load-indexes COLLECTION SPEC...                 resident memory as each (saved) index of a collection is loaded
//        ... -- duplicates [SHARED_DIR] [DISTINCT] [PLANTED]    near-duplicate pairs and groups vs threshold on planted copies (docs/duplicates.md)
//        ... -- access COLLECTION [REQUESTS] [ROUNDS]            what API keys and rate limiting cost per request (docs/server.md)
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
if (args is ["synthetic", string syntheticOut, string syntheticRows, string syntheticDim, ..])
{
    Lookalike.Benchmarks.SeamsMeasurements.WriteSynthetic(syntheticOut, int.Parse(syntheticRows, CultureInfo.InvariantCulture),
        int.Parse(syntheticDim, CultureInfo.InvariantCulture), Path.Combine(args.Length > 4 ? args[4] : FindShared(), "models", "resnet50-keras-imagenet.onnx"));
    return;
}
if (args is ["load-indexes", string loadFolder, .. var loadSpecs])
{
    Lookalike.Benchmarks.SeamsMeasurements.LoadIndexes(loadFolder, loadSpecs);
    return;
}
if (args is ["commits", string commitWork, string commitDim, .. var commitSizes])
{
    Lookalike.Benchmarks.SeamsMeasurements.CommitCost(commitWork, int.Parse(commitDim, CultureInfo.InvariantCulture),
        [.. commitSizes.Select(s => int.Parse(s, CultureInfo.InvariantCulture))]);
    return;
}
if (args is ["access", string accessCollection, ..])
{
    await Lookalike.Benchmarks.AccessCost.RunAsync(Path.GetFullPath(accessCollection), args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 4000,
        args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 5);
    return;
}
if (args is ["duplicates", ..])
{
    await Lookalike.Benchmarks.DuplicateMeasurements.RunAsync(args.Length > 1 ? args[1] : FindShared(),
        args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1000, args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 47);
    return;
}
if (args is ["decode", ..])
{
    Lookalike.Benchmarks.DecodeComparison.Run(args.Length > 1 ? args[1] : FindShared(), args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 20);
    return;
}
if (args is ["uploads", string uploadFolder, string uploadCount, ..])
{
    Lookalike.Benchmarks.DecodeComparison.WriteUploads(args.Length > 4 ? args[4] : FindShared(), uploadFolder,
        int.Parse(uploadCount, CultureInfo.InvariantCulture), png: args.Length > 3 && args[3] == "png");
    return;
}
string shared = args.Length > 0 ? args[0] : FindShared();
int cifarCount = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1000;
int largeCount = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 50;
string modelPath = Path.Combine(shared, "models", "resnet50-keras-imagenet.onnx");
string work = Path.Combine(Path.GetTempPath(), "lookalike-bench-" + Environment.ProcessId);
Directory.CreateDirectory(work);
try
{
    string cifar = Path.Combine(work, "cifar");
    CopyCifar(Path.Combine(shared, "datasets", "cifar10", "test"), cifar, cifarCount);
    string large = Path.Combine(work, "large");
    MakeLargePhotos(Path.Combine(shared, "images"), large, largeCount);

    var options = OnnxFeatureExtractorOptions.ResNet50Keras(modelPath);
    Console.WriteLine($"Model {modelPath}; {Environment.ProcessorCount} cores; batch {options.BatchSize}, decode threads {options.DecodeThreads}.");
    Console.WriteLine();
    Console.WriteLine("| images | n | bare inference img/s | index pipeline img/s | pipeline / bare |");
    Console.WriteLine("|---|---:|---:|---:|---:|");
    foreach (var (name, folder) in new[] { ("CIFAR-10 32×32 JPEG", cifar), ("large photos JPEG", large) })
    {
        using var extractor = new OnnxFeatureExtractor(options);
        double bare = BareInference(extractor, folder);
        double pipeline = await Pipeline(extractor, folder, Path.Combine(work, "collection-" + Path.GetFileName(folder)));
        int n = Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Length;
        Console.WriteLine($"| {name} | {n} | {bare:F1} | {pipeline:F1} | {pipeline / bare:P0} |");
    }
}
finally
{
    Directory.Delete(work, recursive: true);
}

// The shared data folder beside the repository (the folder holding Lookalike.slnx).
static string FindShared()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Lookalike.slnx"))) return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared"));
    }
    throw new InvalidOperationException("Give the shared data folder as the first argument.");
}

static double BareInference(OnnxFeatureExtractor extractor, string folder)
{
    var files = Directory.GetFiles(folder, "*", SearchOption.AllDirectories);
    int length = extractor.TensorLength;
    var tensors = files.Select(f =>
    {
        var tensor = new float[length];
        extractor.Prepare(new ImageInput(f, File.ReadAllBytes(f)), tensor);
        return tensor;
    }).ToList();
    extractor.Run(tensors[0], 1); // warm-up
    var clock = Stopwatch.StartNew();
    foreach (var tensor in tensors) extractor.Run(tensor, 1);
    return tensors.Count / clock.Elapsed.TotalSeconds;
}

static async Task<double> Pipeline(OnnxFeatureExtractor extractor, string folder, string collectionFolder)
{
    await using var collection = EmbeddedCollection.OpenOrCreate(collectionFolder, extractor.Metadata.ToModelReference(),
        DistanceMetric.Cosine, "Flat");
    var report = await new FolderIndexer(collection, extractor).IndexAsync(folder);
    if (report.Added != report.Scanned) throw new InvalidOperationException($"only {report.Added} of {report.Scanned} indexed");
    return report.ImagesPerSecond;
}

static void CopyCifar(string source, string target, int count)
{
    var classes = Directory.GetDirectories(source).Order(StringComparer.Ordinal).ToArray();
    int perClass = (count + classes.Length - 1) / classes.Length;
    int copied = 0;
    foreach (string dir in classes)
    {
        string destination = Path.Combine(target, Path.GetFileName(dir));
        Directory.CreateDirectory(destination);
        foreach (string file in Directory.GetFiles(dir).Order(StringComparer.Ordinal).Take(perClass))
        {
            if (copied++ == count) return;
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
        }
    }
}

// The reference photos scaled up 4× (about 2400×1600) and re-encoded at distinct qualities so
// that no two files share a content hash.
static void MakeLargePhotos(string source, string target, int count)
{
    Directory.CreateDirectory(target);
    var photos = Directory.GetFiles(source).Where(f => f.EndsWith(".png", StringComparison.Ordinal) || f.EndsWith(".jpg", StringComparison.Ordinal))
        .Order(StringComparer.Ordinal).Select(SKBitmap.Decode).ToArray();
    var scaled = photos.Select(p => p.Resize(new SKImageInfo(p.Width * 4, p.Height * 4), new SKSamplingOptions(SKCubicResampler.Mitchell))).ToArray();
    for (int i = 0; i < count; i++)
    {
        using var image = SKImage.FromBitmap(scaled[i % scaled.Length]);
        File.WriteAllBytes(Path.Combine(target, $"photo{i:D3}.jpg"), image.Encode(SKEncodedImageFormat.Jpeg, 95 - (i / scaled.Length)).ToArray());
    }
    foreach (var bitmap in photos.Concat(scaled)) bitmap.Dispose();
}
