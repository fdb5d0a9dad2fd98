using System.IO.Compression;
using Lookalike.Errors;
using Lookalike.Features;
using Lookalike.Onnx.Imaging;
using Lookalike.Onnx.Models;
using Lookalike.Tests.Common;
using Microsoft.ML.OnnxRuntime;

namespace Lookalike.Onnx.Tests.Import;

/// <summary>
/// ResNet18 from its NuGet package (restored once per machine with the .NET SDK into the user's Lookalike cache):
/// the joined model gives the features of the package's own two graphs run one after the other, says how it
/// is fed, and a second fetch does nothing.
/// </summary>
public sealed class ResNet18FetchTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private static string Cache => Path.Combine(ModelLocator.DataDirectory, "cache");

    [DotnetRestoreFact]
    public async Task The_joined_model_matches_the_package_graphs_within_1e_4_and_a_second_fetch_does_nothing()
    {
        var options = new ModelFetchOptions(_temp.Combine("models"), Cache);
        var report = await ResNet18Fetcher.FetchAsync(options);
        Assert.False(report.AlreadyPresent);
        Assert.True((await ResNet18Fetcher.FetchAsync(options)).AlreadyPresent);
        var card = ModelCard.Read(Backbones.ResNet18.CardPathIn(options.OutDirectory))!;
        Assert.Equal(ResNet18Fetcher.NupkgSha256, card.SourceSha256);

        var feed = OnnxFeatureExtractorOptions.ForModel(report.ModelPath);
        Assert.Equal(ChannelOrder.Bgr, feed.ChannelOrder);
        Assert.Equal([0f, 0f, 0f], feed.Mean);
        using var extractor = new OnnxFeatureExtractor(feed with { BatchSize = 3 });
        Assert.Equal(512, extractor.Metadata.Dimension);
        string[] names = ["chelsea.png", "coffee.png", "rocket.jpg"];
        float[] joined = await extractor.ExtractAsync([.. names.Select(n => new ImageInput(n, File.ReadAllBytes(TestData.Photo(n))))]);

        // The package's way: RGB planes into the preprocessing graph, its output into the network.
        string nupkg = NuGetPackageDownload.PathIn(Cache, ResNet18Fetcher.PackageId, ResNet18Fetcher.PackageVersion);
        using var preprocess = Session(nupkg, "tools/DnnImageModels/ResNetPrepOnnx/ResNetPreprocess.onnx");
        using var network = Session(nupkg, "tools/DnnImageModels/ResNet18Onnx/ResNet18.onnx");
        var rgb = new Preprocessor(feed with { ChannelOrder = ChannelOrder.Rgb });
        var loader = new ImageLoader();
        for (int i = 0; i < names.Length; i++)
        {
            var planes = new float[3 * 224 * 224];
            rgb.Fill(loader.Load(File.ReadAllBytes(TestData.Photo(names[i])), names[i], 224, 224), planes);
            float[] centered = Run(preprocess, planes);
            float[] expected = Run(network, centered);
            Assert.Equal(512, expected.Length);
            for (int d = 0; d < 512; d++) Assert.Equal(expected[d], joined[(i * 512) + d], 1e-4f);
        }
    }

    [Fact]
    public async Task A_package_file_with_another_hash_is_refused_and_nothing_is_written()
    {
        string fake = _temp.Combine("fake.nupkg");
        using (var zip = ZipFile.Open(fake, ZipArchiveMode.Create)) zip.CreateEntry("tools/readme.txt");
        var options = new ModelFetchOptions(_temp.Combine("models"), _temp.Combine("cache"), fake);
        var error = await Assert.ThrowsAsync<LookalikeException>(() => ResNet18Fetcher.FetchAsync(options));
        Assert.Contains(ResNet18Fetcher.NupkgSha256, error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(options.OutDirectory) && Directory.EnumerateFileSystemEntries(options.OutDirectory).Any());
    }

    private static InferenceSession Session(string nupkg, string entry)
    {
        using var zip = ZipFile.OpenRead(nupkg);
        using var stream = zip.GetEntry(entry)!.Open();
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return new InferenceSession(memory.ToArray());
    }

    private static float[] Run(InferenceSession session, float[] input)
    {
        string name = session.InputMetadata.Keys.Single();
        using var value = OrtValue.CreateTensorValueFromMemory(input, [1, 3, 224, 224]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [name], [value], [session.OutputMetadata.Keys.First()]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    public void Dispose() => _temp.Dispose();
}
