using Lookalike.Progress;

namespace Lookalike.Core.Tests.Progress;

public sealed class RenamedProgressTests
{
    /// <summary>Records updates on the reporting thread (unlike <see cref="Progress{T}"/>, which posts them).</summary>
    private sealed class Recorder : IProgress<ProgressUpdate>
    {
        public List<ProgressUpdate> Seen { get; } = [];

        public void Report(ProgressUpdate value) => Seen.Add(value);
    }

    [Fact]
    public void Renamed_updates_all_get_one_name_and_prefixed_ones_keep_their_stages_apart()
    {
        var recorder = new Recorder();
        var renamed = RenamedProgress.Of(recorder, "Fine-tuning")!;
        var prefixed = RenamedProgress.Prefixed(recorder, "CIFAR-10")!;
        renamed.Report(new ProgressUpdate("Computing maps", 1, 2));
        prefixed.Report(new ProgressUpdate("Computing maps", 2, 2, "detail"));
        prefixed.Report(new ProgressUpdate("Pooling", 3, 4));

        Assert.Equal(["Fine-tuning", "CIFAR-10: Computing maps", "CIFAR-10: Pooling"], recorder.Seen.Select(u => u.Stage));
        Assert.Equal(new ProgressUpdate("CIFAR-10: Computing maps", 2, 2, "detail"), recorder.Seen[1]);
        Assert.Null(RenamedProgress.Prefixed(null, "CIFAR-10"));
    }
}
