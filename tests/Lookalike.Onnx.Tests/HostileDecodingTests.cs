using System.Diagnostics;
using Lookalike.Errors;
using Lookalike.Onnx.Imaging;
using Lookalike.Tests.Common;
using Xunit.Abstractions;

namespace Lookalike.Onnx.Tests;

/// <summary>
/// The decoder faces the seeded hostile corpus in this process: a native crash would end the test
/// run, a hang would exceed the per-file limit, and anything but a clean image or an
/// <see cref="ImageDecodeException"/> fails.
/// </summary>
public sealed class HostileDecodingTests(ITestOutputHelper output)
{
    private static readonly TimeSpan PerFile = TimeSpan.FromSeconds(10);

    [Fact]
    public void Two_thousand_hostile_files_decode_or_are_refused_cleanly_and_quickly()
    {
        var corpus = HostileImages.Corpus();
        Assert.True(corpus.Count >= 2000);
        var loader = new ImageLoader();
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        var slowest = TimeSpan.Zero;
        foreach (var file in corpus)
        {
            var clock = Stopwatch.StartNew();
            string outcome;
            try
            {
                var image = loader.Load(file.Bytes, file.Name, 224, 224);
                Assert.Equal(224 * 224 * 4, image.Rgba.Length);
                outcome = "decoded";
            }
            catch (ImageDecodeException e)
            {
                Assert.StartsWith(file.Name, e.Message);
                outcome = e.Problem.ToString();
            }
            var elapsed = clock.Elapsed;
            Assert.True(elapsed < PerFile, $"{file.Name} took {elapsed.TotalSeconds:F1} s");
            if (elapsed > slowest) slowest = elapsed;
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }
        output.WriteLine($"{corpus.Count} files: {string.Join(", ", outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value}"))}; slowest {slowest.TotalMilliseconds:F0} ms");
        // Every kind of outcome occurs: the corpus reaches the decoder, not only the header check.
        Assert.True(outcomes.GetValueOrDefault("decoded") > 100, string.Join(", ", outcomes));
        Assert.True(outcomes.GetValueOrDefault(nameof(ImageProblem.Unsupported)) > 50, string.Join(", ", outcomes));
        Assert.True(outcomes.GetValueOrDefault(nameof(ImageProblem.TooLarge)) > 20, string.Join(", ", outcomes));
        Assert.True(outcomes.GetValueOrDefault(nameof(ImageProblem.Truncated)) > 20, string.Join(", ", outcomes));
    }

    [Theory]
    [InlineData(4400)]
    [InlineData(256)]
    public void An_icon_wrapping_a_png_is_refused_before_the_native_decoder(int side)
    {
        var error = Assert.Throws<ImageDecodeException>(() => new ImageLoader().Load(HostileImages.IcoWrappingPng(side), "icon.png", 224, 224));
        Assert.Equal(ImageProblem.Unsupported, error.Problem);
        Assert.Contains("ICO", error.Reason);
    }

    [Fact]
    public void A_gif_with_thousands_of_frames_decodes_its_first_frame_only()
    {
        var clock = Stopwatch.StartNew();
        var image = new ImageLoader().Load(HostileImages.AnimatedGif(64, 5000), "frames.gif", 32, 32);
        Assert.Equal(64, image.OriginalWidth);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"{clock.Elapsed.TotalSeconds:F1} s");
    }
}
