using System.Diagnostics;
using Lookalike.Indexes;

namespace Lookalike.Ann;

/// <summary>A Lookalike index from its spec, over the dataset's one shared copy of the vectors (as a collection's indexes are).</summary>
internal sealed class LookalikeContender(string spec, string family, IReadOnlyList<Setting> settings,
    Func<Setting, int?, SearchParameters> parameters, InMemoryVectorSource vectors) : Contender
{
    private IVectorIndex? _index;

    public override string Tool => "Lookalike";

    public override string Index => spec;

    public override string Family => family;

    public override IReadOnlyList<Setting> Settings => settings;

    public override (double Seconds, double BytesPerVector) Build(AnnDataset data)
    {
        IVectorIndex Built(int rows)
        {
            var index = IndexRegistry.Builtin.Create(data.Dimension, spec, data.Metric, vectors);
            var sample = data.Base.AsSpan(0, rows * data.Dimension);
            if (!index.IsTrained) index.Train(sample);
            index.Add(sample, [.. Enumerable.Range(0, rows).Select(i => (long)i)]);
            return index;
        }
        // A warm-up build on a slice first, so that compiling the code is not counted as building (the peers are compiled ahead of time).
        Built(Math.Min(data.Rows, 4 * 1024)).Dispose();
        var clock = Stopwatch.StartNew();
        _index = Built(data.Rows);
        double seconds = clock.Elapsed.TotalSeconds;
        using var file = new MemoryStream();
        IndexRegistry.Save(_index, file);
        // The index file plus the float32 vectors its scan reads from the collection (a quantized scan reads its codes,
        // and float32 rows only for the candidates it re-ranks).
        return (seconds, ((double)file.Length / data.Rows) + (_index is Indexes.Quantization.Sq ? 0 : 4.0 * data.Dimension));
    }

    public override Measurement Measure(AnnDataset data, Setting setting, double seconds)
    {
        var index = _index ?? throw new InvalidOperationException("Build first.");
        int n = data.QueryCount, d = data.Dimension;
        var distances = new float[n * AnnDataset.K];
        var ids = new long[n * AnnDataset.K];
        var clock = Stopwatch.StartNew();
        var stats = index.Search(data.Queries, AnnDataset.K, distances, ids, parameters(setting, null));
        double batch = clock.Elapsed.TotalSeconds;
        double recall = data.Recall(ids);
        var single = parameters(setting, 1);
        int done = 0;
        clock.Restart();
        while (done < n && (done < 20 || clock.Elapsed.TotalSeconds < seconds))
        {
            index.Search(data.Queries.AsSpan(done * d, d), AnnDataset.K, distances.AsSpan(0, AnnDataset.K), ids.AsSpan(0, AnnDataset.K), single);
            done++;
        }
        return new Measurement(recall, done / clock.Elapsed.TotalSeconds, n / batch, stats.DistancesPerQuery);
    }

    public override void Dispose() => _index?.Dispose();
}
