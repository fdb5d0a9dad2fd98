using Lookalike.Collections;
using Lookalike.Features;
using Lookalike.Indexing;
using Lookalike.Onnx;

namespace Lookalike.Tests.Common;

/// <summary>
/// A small real collection for host tests: <c>perClass</c> CIFAR-10 test images of each class (layout
/// class/file) plus the three reference photos (label "photo"), indexed with the real ResNet50.
/// </summary>
public static class SampleCollection
{
    /// <summary>Copies the images under <paramref name="imagesFolder"/> and indexes them into <paramref name="collectionFolder"/>.</summary>
    /// <returns>The number of images indexed.</returns>
    public static async Task<long> BuildAsync(string imagesFolder, string collectionFolder, int perClass)
    {
        foreach (var (path, label) in TestData.CifarSample(TestData.Cifar10Test, perClass))
            CopyInto(Path.Combine(imagesFolder, label), path);
        foreach (string photo in new[] { "chelsea.png", "coffee.png", "rocket.jpg" })
            CopyInto(Path.Combine(imagesFolder, "photo"), TestData.Photo(photo));
        using var extractor = new OnnxFeatureExtractor(OnnxFeatureExtractorOptions.ResNet50Keras(TestData.ModelPath));
        await using var store = EmbeddedCollection.OpenOrCreate(collectionFolder, extractor.Metadata.ToModelReference(),
            extractor.Metadata.PreferredMetric, "Flat");
        var indexer = new FolderIndexer(store, extractor, new FolderIndexerOptions { LabelsFromFolders = true });
        var report = await indexer.IndexAsync(ImageFiles.Scan(imagesFolder), progress: null, CancellationToken.None);
        if (report.Failures.Count > 0) throw new InvalidOperationException($"Sample images failed: {report.Failures[0].Reason}");
        return store.Info.Count;
    }

    private static void CopyInto(string folder, string file)
    {
        Directory.CreateDirectory(folder);
        File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
    }
}
