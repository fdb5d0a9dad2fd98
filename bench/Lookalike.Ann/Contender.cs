namespace Lookalike.Ann;

/// <summary>What one round measured for one setting.</summary>
/// <param name="Recall10">recall@10 against the exact answer, over every query.</param>
/// <param name="Qps1Thread">Queries per second, one query at a time on one thread.</param>
/// <param name="QpsAllThreads">Queries per second, every query in one call on all cores.</param>
/// <param name="DistancesPerQuery">Distance computations per query, where the tool reports them.</param>
internal sealed record Measurement(double Recall10, double Qps1Thread, double QpsAllThreads, double? DistancesPerQuery);

/// <summary>A search-time setting: its text in the report and its values.</summary>
internal sealed record Setting(string Text, IReadOnlyDictionary<string, int> Values)
{
    public static Setting Of(string name, int value) => new($"{name}={value}", new Dictionary<string, int> { [name] = value });

    public static Setting None { get; } = new("", new Dictionary<string, int>());
}

/// <summary>One index of one tool, built once per dataset and measured at each of its settings.</summary>
internal abstract class Contender : IDisposable
{
    /// <summary>Lookalike, faiss, hnswlib or USearch.</summary>
    public abstract string Tool { get; }

    /// <summary>The index and its build parameters.</summary>
    public abstract string Index { get; }

    /// <summary>The line of the plot it belongs to.</summary>
    public abstract string Family { get; }

    public abstract IReadOnlyList<Setting> Settings { get; }

    /// <summary>Builds over the dataset; returns (seconds, bytes per vector).</summary>
    public abstract (double Seconds, double BytesPerVector) Build(AnnDataset data);

    public abstract Measurement Measure(AnnDataset data, Setting setting, double seconds);

    public virtual void Dispose() { }
}
