namespace Lookalike.Progress;

/// <summary>Passes every update on at once (on the reporting thread), under another stage name.</summary>
/// <param name="inner">Where the updates go.</param>
/// <param name="stage">The name they get.</param>
public sealed class RenamedProgress(IProgress<ProgressUpdate> inner, string stage) : IProgress<ProgressUpdate>
{
    /// <summary><paramref name="progress"/> renamed <paramref name="stage"/>, or null when there is none.</summary>
    public static IProgress<ProgressUpdate>? Of(IProgress<ProgressUpdate>? progress, string stage) =>
        progress is null ? null : new RenamedProgress(progress, stage);

    /// <inheritdoc/>
    public void Report(ProgressUpdate value) => inner.Report(value with { Stage = stage });
}
