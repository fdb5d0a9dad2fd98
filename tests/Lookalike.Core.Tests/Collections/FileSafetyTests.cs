using System.Diagnostics;
using Lookalike.Indexing;
using Lookalike.IO;
using Lookalike.Tests.Common;

namespace Lookalike.Core.Tests.Collections;

/// <summary>Only regular files inside the folder are read, with a size cap and a time limit.</summary>
public sealed class FileSafetyTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private static void MakeFifo(string path)
    {
        using var mkfifo = Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
    }

    [Fact]
    public void File_kinds_are_told_apart()
    {
        string fifo = _temp.Combine("pipe.jpg");
        MakeFifo(fifo);
        File.WriteAllBytes(_temp.Combine("a.jpg"), [1]);
        File.CreateSymbolicLink(_temp.Combine("zero.jpg"), "/dev/zero");
        Assert.Equal(FileKind.Regular, FileKinds.Of(_temp.Combine("a.jpg")));
        Assert.Equal(FileKind.Fifo, FileKinds.Of(fifo));
        Assert.Equal(FileKind.SymbolicLink, FileKinds.Of(_temp.Combine("zero.jpg")));
        Assert.Equal(FileKind.CharacterDevice, FileKinds.Of(_temp.Combine("zero.jpg"), followLinks: true));
        Assert.Equal(FileKind.Directory, FileKinds.Of(_temp.Path));
        Assert.Equal(FileKind.Missing, FileKinds.Of(_temp.Combine("none")));
    }

    [Fact]
    public async Task Fifos_and_devices_are_refused_at_once_and_large_files_at_the_cap()
    {
        string fifo = _temp.Combine("pipe.jpg");
        MakeFifo(fifo);
        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<UnreadableFileException>(() => BoundedFileReader.ReadAsync(fifo));
        Assert.Contains("named pipe", error.Reason);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2));
        Assert.Contains("character device", (await Assert.ThrowsAsync<UnreadableFileException>(() => BoundedFileReader.ReadAsync("/dev/zero"))).Reason);

        File.WriteAllBytes(_temp.Combine("big.jpg"), new byte[5000]);
        var tooLarge = await Assert.ThrowsAsync<UnreadableFileException>(() =>
            BoundedFileReader.ReadAsync(_temp.Combine("big.jpg"), 4096, TimeSpan.FromSeconds(5)));
        Assert.Contains("larger than the limit of 4,096 bytes", tooLarge.Reason);
        Assert.Equal(5000, (await BoundedFileReader.ReadAsync(_temp.Combine("big.jpg"), 5000, TimeSpan.FromSeconds(5))).Length);
    }

    [Fact]
    public void A_scan_takes_regular_files_and_links_inside_and_names_the_rest()
    {
        string root = _temp.Combine("photos");
        Directory.CreateDirectory(Path.Combine(root, "cats"));
        File.WriteAllBytes(Path.Combine(root, "cats", "a.jpg"), [1]);
        File.CreateSymbolicLink(Path.Combine(root, "inside.jpg"), Path.Combine(root, "cats", "a.jpg"));
        File.WriteAllBytes(_temp.Combine("secret.jpg"), [2]);
        File.CreateSymbolicLink(Path.Combine(root, "outside.jpg"), _temp.Combine("secret.jpg"));
        File.CreateSymbolicLink(Path.Combine(root, "zero.jpg"), "/dev/zero");
        File.CreateSymbolicLink(Path.Combine(root, "broken.jpg"), _temp.Combine("gone.jpg"));
        Directory.CreateSymbolicLink(Path.Combine(root, "loop"), root);
        MakeFifo(Path.Combine(root, "pipe.jpg"));

        var folder = ImageFiles.Scan(root);

        Assert.Equal([Path.Combine(root, "cats", "a.jpg"), Path.Combine(root, "inside.jpg")], folder.Images);
        var skipped = folder.Skipped.ToDictionary(s => Path.GetFileName(s.Path), s => s.Reason);
        Assert.Equal(["broken.jpg", "outside.jpg", "pipe.jpg", "zero.jpg"], skipped.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("outside the indexed folder", skipped["outside.jpg"]);
        Assert.Contains("outside the indexed folder", skipped["zero.jpg"]);
        Assert.Contains("named pipe", skipped["pipe.jpg"]);
        Assert.Contains("broken", skipped["broken.jpg"]);
    }

    [Theory]
    [InlineData("plain name", "plain name")]
    [InlineData("two\nlines", "two\\nlines")]
    [InlineData("back\\slash\tand\r\u0001", "back\\\\slash\\tand\\r\\u0001")]
    public void Line_text_escapes_and_restores_exactly(string text, string escaped)
    {
        Assert.Equal(escaped, LineText.Escape(text));
        Assert.Equal(text, LineText.Unescape(LineText.Escape(text)));
        Assert.DoesNotContain('\n', LineText.Escape(text));
    }

    [Fact]
    public void Short_echoes_stay_short()
    {
        string echoed = LineText.Short(new string('9', 5_000_000));
        Assert.True(echoed.Length < 80, echoed);
        Assert.Contains("5,000,000 characters", echoed);
    }

    public void Dispose() => _temp.Dispose();
}
