using Lookalike.Collections;
using Lookalike.Sessions;
using Lookalike.Tests.Common;

namespace Lookalike.Cli.Tests;

/// <summary>Adding and removing images without a rebuild: <c>remove</c>, <c>index --remove-missing</c> and <c>index --watch</c>.</summary>
public sealed class AddAndRemoveTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string Images => _temp.Combine("images");

    private string Collection => _temp.Combine("collection");

    private async Task IndexSampleAsync(params string[] extra)
    {
        foreach (var (path, label) in TestData.CifarSample(TestData.Cifar10Test, perClass: 2))
        {
            Directory.CreateDirectory(Path.Combine(Images, label));
            File.Copy(path, Path.Combine(Images, label, Path.GetFileName(path)));
        }
        var run = await CliRunner.RunAsync(["index", Images, "--collection", Collection, "--model", TestData.ModelPath, "--labels-from-folders", .. extra]);
        Assert.True(run.ExitCode == 0, run.Error);
    }

    private async Task<List<ImageRecord>> ImagesAsync()
    {
        await using var store = await LookalikeServices.CreateDefault().Collections.OpenAsync(Collection, CollectionAccess.Read);
        return await store.ListAsync().ToListAsync();
    }

    private async Task<List<string>> SearchPathsAsync(string query)
    {
        var run = await CliRunner.RunAsync("search", query, "--collection", Collection, "-k", "30", "--index", "Hnsw(m=16,efConstruction=200,efSearch=64,seed=42)");
        Assert.True(run.ExitCode == 0, run.Error);
        return [.. run.Output.Split('\n').Skip(1).Select(l => l.Split('\t')).Where(c => c.Length == 5).Select(c => c[3])];
    }

    [SharedDataFact]
    public async Task Remove_takes_images_out_by_path_folder_or_id_and_searches_of_the_saved_index_follow()
    {
        await IndexSampleAsync();
        var before = await ImagesAsync();
        Assert.Equal(20, before.Count);
        string cat = Directory.GetFiles(Path.Combine(Images, "cat")).Order(StringComparer.Ordinal).First();
        long someId = before.First(i => i.Label == "ship").Id;

        var removed = await CliRunner.RunAsync("remove", cat, Path.Combine(Images, "dog"), someId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--collection", Collection);
        Assert.True(removed.ExitCode == 0, removed.Error);
        Assert.Contains("Removed 4 image(s)", removed.Output);
        var after = await ImagesAsync();
        Assert.Equal(16, after.Count);
        Assert.DoesNotContain(after, i => i.Path == cat || i.Label == "dog" || i.Id == someId);
        Assert.True(File.Exists(cat), "the file itself must stay");
        var found = await SearchPathsAsync(cat);
        Assert.DoesNotContain(cat, found);
        Assert.Equal(16, found.Count);

        var unknown = await CliRunner.RunAsync("remove", "987654", _temp.Combine("nowhere.jpg"), "--collection", Collection);
        Assert.Equal(LookalikeCli.UserError, unknown.ExitCode);
        Assert.Contains("names no image", unknown.Error);
        Assert.Equal(16, (await ImagesAsync()).Count);
    }

    [SharedDataFact]
    public async Task Index_with_remove_missing_drops_the_images_of_deleted_files()
    {
        await IndexSampleAsync();
        string gone = Directory.GetFiles(Path.Combine(Images, "frog")).First();
        File.Delete(gone);
        var run = await CliRunner.RunAsync("index", Images, "--collection", Collection, "--remove-missing");
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("Removed 1 image(s) whose files are gone.", run.Output);
        Assert.DoesNotContain(await ImagesAsync(), i => i.Path == gone);
        Assert.Equal(19, (await ImagesAsync()).Count);
    }

    [SharedDataFact]
    public async Task Watch_indexes_a_copied_file_within_seconds_and_removes_a_deleted_one()
    {
        await IndexSampleAsync();
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var output = new LiveOutput();
        var watching = CliRunner.RunAsync(output, stop.Token, "index", Images, "--collection", Collection, "--watch", "--remove-missing", "--rescan-every", "600");
        // The files change only once the watch has begun: earlier, the first pass would take them in and no watch line would follow.
        Assert.True(await output.WaitForAsync("Watching ", watching, TimeSpan.FromSeconds(90)), $"the watch did not begin: {output}");
        string copied = Path.Combine(Images, "new", "chelsea.png");
        Directory.CreateDirectory(Path.GetDirectoryName(copied)!);
        File.Copy(TestData.Photo("chelsea.png"), copied);
        string deleted = Directory.GetFiles(Path.Combine(Images, "horse")).First();
        File.Delete(deleted);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        List<ImageRecord> images;
        do
        {
            await Task.Delay(500);
            images = await ImagesAsync();
        }
        while ((!images.Any(i => i.Path == copied) || images.Any(i => i.Path == deleted)) && clock.Elapsed < TimeSpan.FromSeconds(60) && !watching.IsCompleted);
        Assert.False(watching.IsCompleted, watching.IsCompleted ? $"watch ended: {watching.Result.ExitCode} {watching.Result.Error} {watching.Result.Output}" : "");
        Assert.Contains(images, i => i.Path == copied);
        Assert.DoesNotContain(images, i => i.Path == deleted);
        await stop.CancelAsync();
        var result = await watching;
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("Stopped watching.", result.Output);
        Assert.Contains("added 1, replaced 0, removed 1", result.Output);
        Assert.Equal(copied, (await SearchPathsAsync(copied))[0]);
    }

    public void Dispose() => _temp.Dispose();
}
