using System.Diagnostics;
using Cloud.Unum.USearch;
using Lookalike.Indexes;

namespace Lookalike.Ann;

/// <summary>USearch's HNSW (NuGet Cloud.Unum.USearch), a second graph peer; its expansion_search is fixed when it is built, so one build per setting.</summary>
internal sealed class USearchContender(int m, int efConstruction, int efSearch) : Contender
{
    private USearchIndex? _index;

    public override string Tool => "USearch";

    public override string Index => $"HNSW(M={m},efConstruction={efConstruction},efSearch={efSearch})";

    public override string Family => "USearch HNSW";

    public override IReadOnlyList<Setting> Settings { get; } = [Setting.Of("efSearch", efSearch)];

    public override (double Seconds, double BytesPerVector) Build(AnnDataset data)
    {
        var clock = Stopwatch.StartNew();
        _index = new USearchIndex(data.Metric == DistanceMetric.Cosine ? MetricKind.Cos : MetricKind.L2sq, ScalarKind.Float32,
            (ulong)data.Dimension, (ulong)m, (ulong)efConstruction, (ulong)efSearch, false);
        var row = new float[data.Dimension];
        for (int i = 0; i < data.Rows; i++)
        {
            data.Base.AsSpan(i * data.Dimension, data.Dimension).CopyTo(row);
            _index.Add((ulong)i, row);
        }
        double seconds = clock.Elapsed.TotalSeconds;
        string file = Path.Combine(Path.GetTempPath(), $"usearch-{Environment.ProcessId}-{Guid.NewGuid():N}.usearch");
        try
        {
            _index.Save(file);
            return (seconds, (double)new FileInfo(file).Length / data.Rows);
        }
        finally
        {
            File.Delete(file);
        }
    }

    public override Measurement Measure(AnnDataset data, Setting setting, double seconds)
    {
        var index = _index ?? throw new InvalidOperationException("Build first.");
        int n = data.QueryCount, d = data.Dimension;
        var found = new long[n * AnnDataset.K];
        var queries = Enumerable.Range(0, n).Select(q => data.Queries.AsSpan(q * d, d).ToArray()).ToArray();
        var clock = Stopwatch.StartNew();
        // The C# binding cannot reserve per-thread search contexts ("Reserve capacity ahead of searches"): one thread only.
        for (int q = 0; q < n; q++)
        {
            index.Search(queries[q], AnnDataset.K, out ulong[] keys, out float[] _);
            for (int i = 0; i < AnnDataset.K; i++) found[(q * AnnDataset.K) + i] = i < keys.Length ? (long)keys[i] : -1;
        }
        double batch = clock.Elapsed.TotalSeconds;
        int done = 0;
        clock.Restart();
        while (done < n && (done < 20 || clock.Elapsed.TotalSeconds < seconds))
        {
            index.Search(queries[done], AnnDataset.K, out ulong[] _, out float[] _);
            done++;
        }
        return new Measurement(data.Recall(found), done / clock.Elapsed.TotalSeconds, n / batch, null);
    }

    public override void Dispose() => _index?.Dispose();
}
