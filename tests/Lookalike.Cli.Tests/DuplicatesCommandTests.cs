using Lookalike.Duplicates;
using Lookalike.Evaluation.Datasets;
using Lookalike.Evaluation.Reports;
using Lookalike.Tests.Common;

namespace Lookalike.Cli.Tests;

/// <summary>
/// <c>lookalike duplicates</c> on a real folder: the three shared photos, each with re-encoded and resized copies,
/// one byte-identical copy, and 60 distinct CIFAR-10 images, indexed with the real ResNet50.
/// </summary>
public sealed class DuplicatesCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string Images => _temp.Combine("images");

    private string Collection => _temp.Combine("collection");

    private string[] Photos { get; } = ["chelsea.png", "coffee.png", "rocket.jpg"];

    /// <summary>The planted groups: each photo with its copies, by full path.</summary>
    private async Task<Dictionary<string, string[]>> IndexPlantedFolderAsync()
    {
        string planted = Path.Combine(Images, "planted");
        var copies = PlantedDuplicates.Write(Photos.Select(TestData.Photo), planted);
        var groups = copies.GroupBy(c => c.Source).ToDictionary(g => Path.GetFileName(g.Key), g => g.Select(c => c.Path).Order(StringComparer.Ordinal).ToArray());
        foreach (var (path, label) in TestData.CifarSample(TestData.Cifar10Test, perClass: 6))
        {
            string target = Path.Combine(Images, "cifar", label, Path.GetFileName(path));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(path, target);
        }
        // Found after the planted original (folders are walked in name order), so the collection holds the original's path.
        Directory.CreateDirectory(Path.Combine(Images, "z-copies"));
        File.Copy(TestData.Photo("coffee.png"), Path.Combine(Images, "z-copies", "same bytes as coffee.png"));
        var indexed = await CliRunner.RunAsync("index", Images, "--collection", Collection, "--model", TestData.ModelPath, "--index", "Flat");
        Assert.True(indexed.ExitCode == 0, indexed.Error);
        return groups;
    }

    [SharedDataFact]
    public async Task Finds_every_planted_copy_and_no_group_among_distinct_images()
    {
        var planted = await IndexPlantedFolderAsync();
        var run = await CliRunner.RunAsync("duplicates", "--collection", Collection, "--json", "-");
        Assert.True(run.ExitCode == 0, run.Error);
        var groups = DuplicateReportWriter.ReadGroups(run.Output);

        var exact = Assert.Single(groups, g => g.Kind == DuplicateKind.Exact);
        Assert.Equal([Path.Combine(Images, "planted", "coffee", "coffee.png"), Path.Combine(Images, "z-copies", "same bytes as coffee.png")], exact.Paths);
        var near = groups.Where(g => g.Kind == DuplicateKind.Near).Select(g => g.Paths.Order(StringComparer.Ordinal).ToArray()).ToList();
        Assert.Equal(3, near.Count);
        foreach (var members in planted.Values) Assert.Contains(near, g => g.SequenceEqual(members));
    }

    [SharedDataFact]
    public async Task Keeps_the_largest_copy_and_moves_the_others_aside_under_their_relative_paths()
    {
        var planted = await IndexPlantedFolderAsync();
        string aside = _temp.Combine("aside");
        string page = _temp.Combine("page");
        var run = await CliRunner.RunAsync("duplicates", "--collection", Collection, "--html", page, "--move-to", aside);
        Assert.True(run.ExitCode == 0, run.Error);

        // The 200 % copy has the most pixels: it is what stays; every other copy moved, keeping its folder.
        foreach (var (photo, members) in planted)
        {
            string keeper = Assert.Single(members, m => m.Contains(".resized-200-", StringComparison.Ordinal));
            Assert.True(File.Exists(keeper), $"{keeper} should stay");
            foreach (string moved in members.Where(m => m != keeper))
            {
                Assert.False(File.Exists(moved), $"{moved} should have moved");
                Assert.True(File.Exists(Path.Combine(aside, Path.GetRelativePath(Images, moved))), $"{moved} is not under {aside}");
            }
        }
        // The identical file: the collection's copy stays, the other moves.
        Assert.True(File.Exists(Path.Combine(aside, "z-copies", "same bytes as coffee.png")));
        Assert.Contains("Moved 16 file(s); 0 stayed where they were.", run.Output);
        Assert.Equal(60, Directory.GetFiles(Path.Combine(Images, "cifar"), "*", SearchOption.AllDirectories).Length);

        string html = await File.ReadAllTextAsync(Path.Combine(page, "index.html"));
        Assert.Equal(4, html.Split("<section class=\"group\"").Length - 1);
        // One preview per content: the identical file shares coffee.png's.
        Assert.Equal(3 * 6, Directory.GetFiles(Path.Combine(page, "thumbnails"), "*.jpg").Length);

        // The moved near-duplicates left the collection; a second run finds nothing more to do.
        var again = await CliRunner.RunAsync("duplicates", "--collection", Collection);
        Assert.True(again.ExitCode == 0, again.Error);
        Assert.Contains("0 group(s) of identical files, 0 group(s) of near-duplicates", again.Output);
    }

    [SharedDataFact]
    public async Task Refuses_to_move_into_the_indexed_folder_and_bad_thresholds()
    {
        await IndexPlantedFolderAsync();
        var inside = await CliRunner.RunAsync("duplicates", "--collection", Collection, "--move-to", Path.Combine(Images, "aside"));
        Assert.Equal(LookalikeCli.UserError, inside.ExitCode);
        Assert.Contains("lies inside the indexed folder", inside.Error);
        Assert.True(File.Exists(Path.Combine(Images, "planted", "coffee", "coffee.jpeg-q60.jpg")));
        var threshold = await CliRunner.RunAsync("duplicates", "--collection", Collection, "--threshold", "1.5");
        Assert.Equal(LookalikeCli.UsageError, threshold.ExitCode);
        Assert.Contains("--threshold must be a cosine similarity in (0, 1]", threshold.Error);
    }

    public void Dispose() => _temp.Dispose();
}
