namespace Lookalike.Progress;

/// <summary>Passes every update on at once (on the reporting thread), under another stage name.</summary>
/// <param name="inner">Where the updates go.</param>
/// <param name="rename">The name an update gets, from its own.</param>
public sealed class RenamedProgress(IProgress<ProgressUpdate> inner, Func<string, string> rename) : IProgress<ProgressUpdate>
{
    /// <summary><paramref name="progress"/> renamed <paramref name="stage"/>, or null when there is none.</summary>
    public static IProgress<ProgressUpdate>? Of(IProgress<ProgressUpdate>? progress, string stage) =>
        progress is null ? null : new RenamedProgress(progress, _ => stage);

    /// <summary>
    /// <paramref name="progress"/> with each stage's name after "<paramref name="prefix"/>: ", or null when there is none:
    /// a job of several stages keeps them apart (each with its own rate and time left).
    /// </summary>
    public static IProgress<ProgressUpdate>? Prefixed(IProgress<ProgressUpdate>? progress, string prefix) =>
        progress is null ? null : new RenamedProgress(progress, stage => $"{prefix}: {stage}");

    /// <inheritdoc/>
    public void Report(ProgressUpdate value) => inner.Report(value with { Stage = rename(value.Stage) });
}
