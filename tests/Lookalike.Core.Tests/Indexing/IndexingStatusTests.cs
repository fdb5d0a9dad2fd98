using Lookalike.Indexing;
using Lookalike.Progress;
using Lookalike.Tests.Common;

namespace Lookalike.Core.Tests.Indexing;

public sealed class IndexingStatusTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    [Fact]
    public void A_run_writes_its_progress_and_reads_as_running_until_it_is_finished()
    {
        Assert.Null(IndexingStatus.Read(_temp.Path));
        var reporter = IndexingStatus.Report(_temp.Path, "/pictures");
        var seen = new List<ProgressUpdate>();
        var progress = reporter.Wrap(new Progress<ProgressUpdate>(seen.Add));
        progress.Report(new ProgressUpdate("Indexing", 10, 10));
        var status = IndexingStatus.Read(_temp.Path)!;
        Assert.Equal(("Indexing", 10L, (long?)10, "/pictures", false), (status.Stage, status.Completed, status.Total, status.Folder, status.Finished));
        Assert.True(status.Running);
        reporter.Dispose();
        Assert.False(IndexingStatus.Read(_temp.Path)!.Running);
    }

    [Fact]
    public void A_run_whose_process_is_gone_is_not_running()
    {
        var dead = new IndexingStatus("Indexing", 1, 5, "/p", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, Finished: false, ProcessId: int.MaxValue);
        Assert.False(dead.Running);
        File.WriteAllText(Path.Combine(_temp.Path, IndexingStatus.FileName), "{ not json");
        Assert.Null(IndexingStatus.Read(_temp.Path));
    }

    [Fact]
    public void A_sample_first_order_spreads_over_the_folder_and_keeps_every_file_once()
    {
        var folder = new ImageFolder("/r", [.. Enumerable.Range(0, 10).Select(i => $"/r/{i:D2}.jpg")], 0, []);
        var sampled = folder.SampleFirst(3);
        Assert.Equal(["/r/00.jpg", "/r/03.jpg", "/r/06.jpg"], sampled.Images.Take(3));
        Assert.Equal(folder.Images.Order(StringComparer.Ordinal), sampled.Images.Order(StringComparer.Ordinal));
        Assert.Same(folder, folder.SampleFirst(10));
    }

    public void Dispose() => _temp.Dispose();
}
