using Lookalike.Errors;
using Lookalike.Onnx.Stages;
using Lookalike.Tests.Common;
using Lookalike.Training.Stages;

namespace Lookalike.Training.Tests;

/// <summary>The float16 cache of a stage's input maps: rows by content, resumption after a cut, one filler at a time.</summary>
public sealed class StageMapCacheTests : IDisposable
{
    private static readonly MapShape Shape = new(4, 2, 2);
    private readonly TempDirectory _temp = new();

    [SharedDataFact]
    public async Task Maps_are_stored_once_per_content_and_an_interrupted_fill_resumes_with_only_the_missing_images()
    {
        var files = TestData.CifarSample(TestData.Cifar10Test, perClass: 1).Take(6).Select(f => f.Path).ToList();
        string broken = _temp.Combine("broken.jpg");
        File.WriteAllText(broken, "not an image");
        string copy = _temp.Combine("copy.jpg");
        File.Copy(files[0], copy);
        string cache = _temp.Combine("cache");
        var extractor = new FakeFeatureExtractor();
        int[] rows;
        using (var maps = StageMapCache.Open(cache, extractor, Shape))
        {
            rows = await maps.FillAsync([.. files, broken, copy], extractor, null, default);
            Assert.Equal(7, extractor.Extracted); // the six images and the broken file, not the copy
            Assert.Equal(-1, rows[6]);
            Assert.Equal(rows[0], rows[7]);
            Assert.Equal(6, rows.Take(6).Distinct().Count());
            AssertMaps(maps, rows.Take(6).ToArray(), files);
            Assert.Contains("Another run", Assert.Throws<LookalikeException>(() => StageMapCache.Open(cache, extractor, Shape)).Message);
        }

        // A run killed while writing: the maps file ends inside a row and the list of rows inside a hash.
        string folder = Directory.GetDirectories(Path.Combine(cache, "stage-maps")).Single();
        using (var data = new FileStream(Path.Combine(folder, "maps.f16"), FileMode.Open)) data.SetLength((4 * Shape.Length * 2) + 10);
        File.AppendAllText(Path.Combine(folder, "rows.txt"), "0123abc");
        var resumed = new FakeFeatureExtractor();
        using (var maps = StageMapCache.Open(cache, resumed, Shape))
        {
            Assert.Equal(4, maps.Count);
            var again = await maps.FillAsync(files, resumed, null, default);
            Assert.Equal(2, resumed.Extracted);
            Assert.Equal(6, maps.Count);
            AssertMaps(maps, again, files);
        }
    }

    /// <summary>Each file's maps are its features, channel-major, within float16's precision.</summary>
    private static void AssertMaps(StageMapCache maps, int[] rows, IReadOnlyList<string> files)
    {
        var batch = maps.Read(rows);
        for (int n = 0; n < rows.Length; n++)
        {
            float[] expected = FakeFeatureExtractor.FeaturesOf(File.ReadAllBytes(files[n]));
            for (int c = 0; c < Shape.Channels; c++)
            {
                for (int p = 0; p < 4; p++)
                {
                    float actual = batch.Data[(((c * rows.Length) + n) * 4) + p];
                    Assert.True(Math.Abs(actual - expected[(c * 4) + p]) < 1e-3, $"image {n}, channel {c}: {actual} ≠ {expected[(c * 4) + p]}");
                }
            }
        }
    }

    public void Dispose() => _temp.Dispose();
}
