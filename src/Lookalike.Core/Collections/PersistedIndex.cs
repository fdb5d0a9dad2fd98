namespace Lookalike.Collections;

/// <summary>An index saved with a collection (<c>indexes/&lt;Name&gt;.lkidx</c>), as its manifest names it.</summary>
/// <param name="Name">File name without extension.</param>
/// <param name="Spec">The spec the index prints (every parameter written out).</param>
/// <param name="Metric">Metric it ranks by (l2 or cosine).</param>
/// <param name="Rows">Rows of the collection it covers: ids from there on are added when it is loaded.</param>
/// <param name="TrainedOn">Live vectors it was trained on (its quality drifts as the collection grows past it).</param>
/// <param name="Bytes">Size of its file.</param>
/// <param name="BuiltAt">When it was built or last brought up to date.</param>
public sealed record PersistedIndex(string Name, string Spec, string Metric, long Rows, long TrainedOn, long Bytes, DateTimeOffset BuiltAt)
{
    /// <summary>
    /// Whether it should be rebuilt: the collection has grown to more than twice the rows it was
    /// trained on (clusters and learned hashes no longer describe the data well). It is still used,
    /// with the new rows added, and <c>lookalike reindex</c> rebuilds it.
    /// </summary>
    public bool IsStaleFor(long liveRows) => TrainedOn > 0 && liveRows > 2 * TrainedOn;
}
