namespace Lookalike.Progress;

/// <summary>
/// A snapshot of a long job, reported through <see cref="IProgress{T}"/>: the CLI draws it as a bar,
/// the web app serves it from a status endpoint.
/// </summary>
/// <param name="Stage">What is being done, e.g. "Indexing".</param>
/// <param name="Completed">Items finished so far.</param>
/// <param name="Total">Items in all, when known.</param>
/// <param name="Detail">Optional short text, e.g. the current file.</param>
public readonly record struct ProgressUpdate(string Stage, long Completed, long? Total, string? Detail = null);
