using Lookalike.Features;
using Lookalike.Onnx.Models;
using Lookalike.Tests.Common;

namespace Lookalike.Onnx.Tests;

public sealed class OptimizedModelCacheTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private static async Task<float[]> FeaturesAsync(OnnxFeatureExtractor extractor)
    {
        string[] photos = [TestData.Photo("chelsea.png"), TestData.Photo("rocket.jpg")];
        return await extractor.ExtractAsync([.. photos.Select(p => new ImageInput(p, File.ReadAllBytes(p)))]);
    }

    [SharedDataFact]
    public async Task The_saved_optimised_graph_gives_the_features_of_the_original_model()
    {
        var options = OnnxFeatureExtractorOptions.ResNet50Keras(TestData.ModelPath);
        float[] reference;
        using (var uncached = new OnnxFeatureExtractor(options with { OptimizedModelFolder = null })) reference = await FeaturesAsync(uncached);

        string folder = _temp.Combine("optimized");
        float[] first, second;
        using (var saving = new OnnxFeatureExtractor(options with { OptimizedModelFolder = folder })) first = await FeaturesAsync(saving);
        string saved = Assert.Single(Directory.GetFiles(folder));
        Assert.Equal(new OptimizedModelCache(folder).PathFor(Models.ModelLocator.HashCache.Sha256Of(TestData.ModelPath)), saved);
        var written = File.GetLastWriteTimeUtc(saved);
        using (var loading = new OnnxFeatureExtractor(options with { OptimizedModelFolder = folder })) second = await FeaturesAsync(loading);
        Assert.Equal(written, File.GetLastWriteTimeUtc(saved));

        for (int i = 0; i < reference.Length; i++)
        {
            Assert.Equal(reference[i], first[i], 1e-4);
            Assert.Equal(reference[i], second[i], 1e-4);
        }
    }

    [SharedDataFact]
    public async Task A_damaged_saved_graph_is_replaced_and_an_unwritable_folder_only_costs_time()
    {
        var options = OnnxFeatureExtractorOptions.ResNet50Keras(TestData.ModelPath);
        string folder = _temp.Combine("optimized");
        var cache = new OptimizedModelCache(folder);
        string path = cache.PathFor(Models.ModelLocator.HashCache.Sha256Of(TestData.ModelPath));
        Directory.CreateDirectory(folder);
        File.WriteAllText(path, "not an ONNX graph");
        using (var repaired = new OnnxFeatureExtractor(options with { OptimizedModelFolder = folder }))
            Assert.Equal(2 * 2048, (await FeaturesAsync(repaired)).Length);
        Assert.True(new FileInfo(path).Length > 1_000_000, "the damaged file was replaced by the optimised graph");

        string blocked = _temp.Combine("blocked");
        File.WriteAllText(blocked, "");
        using var unwritable = new OnnxFeatureExtractor(options with { OptimizedModelFolder = blocked });
        Assert.Equal(2 * 2048, (await FeaturesAsync(unwritable)).Length);
    }

    public void Dispose() => _temp.Dispose();
}
