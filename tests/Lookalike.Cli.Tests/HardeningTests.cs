using System.Diagnostics;
using Lookalike.Collections;
using Lookalike.Tests.Common;

namespace Lookalike.Cli.Tests;

/// <summary>Hostile folders and storage: every problem is named on one line, nothing hangs, nothing crashes.</summary>
public sealed class HardeningTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string Photos(string name)
    {
        string folder = _temp.Combine(name);
        Directory.CreateDirectory(folder);
        foreach (string photo in new[] { "chelsea.png", "coffee.png" }) File.Copy(TestData.Photo(photo), Path.Combine(folder, photo));
        return folder;
    }

    private Task<CliRunner.Result> IndexAsync(string folder, string collection) =>
        CliRunner.RunAsync("index", folder, "--collection", collection, "--model", TestData.ModelPath);

    [SharedDataFact]
    public async Task Pipes_devices_and_links_out_of_the_folder_are_skipped_with_their_reason()
    {
        string folder = Photos("hostile");
        using (var mkfifo = Process.Start("mkfifo", [Path.Combine(folder, "pipe.jpg")])) mkfifo.WaitForExit();
        File.CreateSymbolicLink(Path.Combine(folder, "zero.jpg"), "/dev/zero");
        File.CreateSymbolicLink(Path.Combine(folder, "passwd.jpg"), "/etc/passwd");
        File.WriteAllBytes(Path.Combine(folder, "icon.png"), HostileImages.IcoWrappingPng(4400));

        var clock = Stopwatch.StartNew();
        var result = await IndexAsync(folder, _temp.Combine("c"));

        Assert.Equal(0, result.ExitCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"{clock.Elapsed.TotalSeconds:F0} s");
        Assert.Contains($"skipped {Path.Combine(folder, "pipe.jpg")}: a named pipe (FIFO), not a regular file", result.Error);
        Assert.Contains($"skipped {Path.Combine(folder, "zero.jpg")}: a symbolic link to '/dev/zero', outside the indexed folder", result.Error);
        Assert.Contains($"skipped {Path.Combine(folder, "passwd.jpg")}: a symbolic link to '/etc/passwd', outside the indexed folder", result.Error);
        Assert.Contains($"skipped {Path.Combine(folder, "icon.png")}: not a supported image format (an ICO/CUR icon container)", result.Error);
        Assert.Contains("Indexed 2 new image(s)", result.Output);

        var check = await CliRunner.RunAsync("check", folder);
        Assert.Equal(1, check.ExitCode);
        Assert.Contains("4 cannot be decoded", check.Output);
    }

    [SharedDataFact]
    public async Task A_twin_of_an_undecodable_file_is_a_failure_too_not_a_duplicate()
    {
        string folder = Photos("twins");
        File.WriteAllText(Path.Combine(folder, "a-notes.jpg"), "text, not a picture");
        File.WriteAllText(Path.Combine(folder, "b-notes.jpg"), "text, not a picture");
        for (int run = 0; run < 2; run++)
        {
            var result = await IndexAsync(folder, _temp.Combine("c"));
            Assert.Contains($"skipped {Path.Combine(folder, "a-notes.jpg")}", result.Error);
            Assert.Contains($"skipped {Path.Combine(folder, "b-notes.jpg")}", result.Error);
            Assert.Contains("0 duplicate(s)", result.Output);
            Assert.Contains("2 skipped as unreadable", result.Output);
        }
    }

    [SharedDataFact]
    public async Task A_file_that_stopped_an_earlier_run_while_decoding_is_named_and_skipped_until_it_changes()
    {
        string folder = Photos("crashed");
        string collection = _temp.Combine("c");
        string culprit = Path.Combine(folder, "coffee.png");
        // What a run killed inside the native decoder leaves: the marker written before decoding began.
        Directory.CreateDirectory(Path.Combine(collection, "decoding"));
        File.WriteAllText(Path.Combine(collection, "decoding", "0123456789abcdef-7"), culprit);

        for (int run = 0; run < 2; run++)
        {
            var result = await IndexAsync(folder, collection);
            Assert.Equal(0, result.ExitCode);
            Assert.Contains($"skipped {culprit}: stopped an earlier run while it was being decoded", result.Error);
        }
        Assert.Empty(Directory.GetFiles(Path.Combine(collection, "decoding")));

        File.SetLastWriteTimeUtc(culprit, DateTime.UtcNow.AddMinutes(1));
        var retried = await IndexAsync(folder, collection);
        Assert.DoesNotContain($"skipped {culprit}", retried.Error);
        Assert.Contains("Indexed 1 new image(s)", retried.Output);
    }

    [SharedDataFact]
    public async Task Storage_failures_are_one_line_errors()
    {
        string folder = Photos("storage");

        string locked = _temp.Combine("locked");
        Directory.CreateDirectory(Path.Combine(locked, "collection.lock")); // the lock file cannot be opened
        var lockError = await IndexAsync(folder, locked);
        Assert.Equal(1, lockError.ExitCode);
        Assert.Matches(@"^error: Cannot open collection '[^']+' for writing \(collection.lock\): permission denied", lockError.Error);

        var underFile = await IndexAsync(folder, Path.Combine(TestData.Photo("coffee.png"), "c"));
        Assert.Equal(1, underFile.ExitCode);
        Assert.StartsWith("error: Cannot write collection folder", underFile.Error);

        string full = _temp.Combine("full");
        Directory.CreateDirectory(full);
        File.CreateSymbolicLink(Path.Combine(full, "vectors.f32"), "/dev/full");
        var fullDisk = await IndexAsync(folder, full);
        Assert.Equal(1, fullDisk.ExitCode);
        Assert.Contains("the disk is full", fullDisk.Error);
        foreach (var result in new[] { lockError, underFile, fullDisk })
            Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => !l.StartsWith("Indexing", StringComparison.Ordinal));
    }

    [SharedDataFact]
    public async Task Export_sidecars_keep_one_line_per_image_whatever_the_file_names()
    {
        string folder = Photos("names");
        File.Move(Path.Combine(folder, "coffee.png"), Path.Combine(folder, "two\nlines.png"));
        await IndexAsync(folder, _temp.Combine("c"));
        var export = await CliRunner.RunAsync("export", "--collection", _temp.Combine("c"), "--out", _temp.Combine("f.npy"));
        Assert.Equal(0, export.ExitCode);
        string[] lines = File.ReadAllLines(_temp.Combine("f.npy.paths.txt"));
        Assert.Equal(2, lines.Length);
        Assert.Contains(Path.Combine(folder, "two\\nlines.png"), lines);
        Assert.Equal(Path.Combine(folder, "two\nlines.png"), IO.LineText.Unescape(lines.Single(l => l.Contains("lines"))));
    }

    public void Dispose() => _temp.Dispose();
}
