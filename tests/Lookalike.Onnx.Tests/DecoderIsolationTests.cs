using Lookalike.Errors;
using Lookalike.Features;
using Lookalike.Indexing;
using Lookalike.Onnx.Imaging;
using Lookalike.Onnx.Imaging.Isolation;
using Lookalike.Tests.Common;

namespace Lookalike.Onnx.Tests;

/// <summary>Decoding in a worker process gives the same pixels; the journal names an image before the decoder sees it.</summary>
public sealed class DecoderIsolationTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    [SharedDataFact]
    public void The_worker_decodes_exactly_like_the_in_process_loader()
    {
        using var isolated = new IsolatedImageDecoder(IsolatedDecoderOptions.Installed());
        var loader = new ImageLoader();
        foreach (string photo in new[] { "chelsea.png", "coffee.png", "rocket.jpg" })
        {
            byte[] bytes = File.ReadAllBytes(TestData.Photo(photo));
            var here = loader.Load(bytes, photo, 224, 224);
            var there = isolated.Load(bytes, photo, 224, 224);
            Assert.Equal((here.OriginalWidth, here.OriginalHeight), (there.OriginalWidth, there.OriginalHeight));
            Assert.Equal(here.Rgba, there.Rgba);
        }
        var error = Assert.Throws<ImageDecodeException>(() => isolated.Load(File.ReadAllBytes(TestData.Photo("rocket.jpg"))[..5000], "cut.jpg", 8, 8));
        Assert.Equal(ImageProblem.Truncated, error.Problem);
        Assert.Null(isolated.Check());
        Assert.Equal(0, isolated.Replaced);
    }

    [SharedDataFact]
    public async Task Each_image_is_in_the_journal_while_it_is_decoded_and_only_then()
    {
        string collection = _temp.Combine("collection");
        var journal = new DecodeJournal(collection);
        var watching = new JournalWatchingDecoder(Path.Combine(collection, "decoding"));
        using var extractor = new OnnxFeatureExtractor(OnnxFeatureExtractorOptions.ResNet50Keras(TestData.ModelPath) with
        {
            Decoder = watching,
            DecodeJournal = journal,
        });
        var inputs = new[] { "chelsea.png", "coffee.png" }.Select(p => new ImageInput(TestData.Photo(p), File.ReadAllBytes(TestData.Photo(p))));
        await foreach (var result in extractor.ExtractStreamAsync(inputs.ToAsyncEnumerable())) Assert.True(result.Succeeded);
        Assert.Equal([TestData.Photo("chelsea.png"), TestData.Photo("coffee.png")], watching.Seen);
        Assert.Empty(Directory.GetFiles(Path.Combine(collection, "decoding")));
    }

    /// <summary>Decodes in process and records what the journal held at that moment.</summary>
    private sealed class JournalWatchingDecoder(string journalFolder) : IImageDecoder
    {
        private readonly ImageLoader _loader = new();

        public List<string> Seen { get; } = [];

        public DecodedImage Load(ReadOnlySpan<byte> encoded, string source, int width, int height)
        {
            string marked = Assert.Single(Directory.GetFiles(journalFolder));
            Assert.Equal(source, File.ReadAllText(marked));
            lock (Seen) Seen.Add(source);
            return _loader.Load(encoded, source, width, height);
        }
    }

    public void Dispose() => _temp.Dispose();
}
