using System.Runtime.CompilerServices;
using Lookalike.Evaluation.Datasets;
using Lookalike.Features;
using Lookalike.Onnx;
using Lookalike.Tests.Common;

namespace Lookalike.Evaluation.Tests;

public sealed class FeatureCacheTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    [SharedDataFact]
    public async Task Image_folders_are_extracted_once_then_served_from_the_cache()
    {
        foreach (var (path, label) in TestData.CifarSample(TestData.Cifar10Test, perClass: 3))
        {
            Directory.CreateDirectory(_temp.Combine("images", label));
            File.Copy(path, _temp.Combine("images", label, Path.GetFileName(path)));
        }
        using var model = new OnnxFeatureExtractor(OnnxFeatureExtractorOptions.ResNet50Keras(TestData.ModelPath));
        var counting = new CountingExtractor(model);
        var loader = new DatasetLoader(() => counting, _temp.Combine("cache"));

        var first = await loader.LoadAsync(_temp.Combine("images"));
        Assert.Equal(30, counting.Extracted);
        Assert.Equal(30, first.Count);
        Assert.Equal(10, first.Labels.Distinct().Count());

        var second = await loader.LoadAsync(_temp.Combine("images"));
        Assert.Equal(30, counting.Extracted);
        Assert.Equal(first.Vectors, second.Vectors);
        Assert.Equal(first.Labels, second.Labels);

        // The same photos moved, renamed and re-split into two classes: nothing is extracted again,
        // each keeps its vector, and the labels are the new layout's.
        for (int i = 0; i < first.Count; i++)
        {
            string split = i % 2 == 0 ? "even" : "odd";
            Directory.CreateDirectory(_temp.Combine("moved", split));
            File.Copy(first.Names[i], _temp.Combine("moved", split, $"renamed-{i:D3}{Path.GetExtension(first.Names[i])}"));
        }
        var moved = await loader.LoadAsync(_temp.Combine("moved"));
        Assert.Equal(30, counting.Extracted);
        Assert.Equal(30, moved.Count);
        Assert.Equal(["even", "odd"], moved.Labels.Distinct().Order());
        for (int r = 0; r < moved.Count; r++)
        {
            int i = int.Parse(Path.GetFileNameWithoutExtension(moved.Names[r])["renamed-".Length..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(first.Row(i).ToArray(), moved.Row(r).ToArray());
            Assert.Equal(i % 2 == 0 ? "even" : "odd", moved.Labels[r]);
        }
    }

    /// <summary>The real extractor, counting how many images reach it.</summary>
    private sealed class CountingExtractor(IFeatureExtractor inner) : IFeatureExtractor
    {
        public int Extracted;

        public FeatureExtractorMetadata Metadata => inner.Metadata;

        public Task<float[]> ExtractAsync(IReadOnlyList<ImageInput> images, CancellationToken cancellationToken = default)
        {
            Interlocked.Add(ref Extracted, images.Count);
            return inner.ExtractAsync(images, cancellationToken);
        }

        public async IAsyncEnumerable<FeatureResult> ExtractStreamAsync(IAsyncEnumerable<ImageInput> images,
            [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await foreach (var result in inner.ExtractStreamAsync(images, cancellationToken))
            {
                Interlocked.Increment(ref Extracted);
                yield return result;
            }
        }

        public void Dispose() { }
    }

    public void Dispose() => _temp.Dispose();
}
