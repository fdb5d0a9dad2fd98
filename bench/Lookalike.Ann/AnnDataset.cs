using Lookalike.Indexes;
using Lookalike.IO;

namespace Lookalike.Ann;

/// <summary>
/// One benchmark set: database and query vectors, the metric, and the exact 10 nearest database
/// rows of every query (computed once by the exact scan; every tool's recall is measured against
/// them). Written as .npy files for the Python peers.
/// </summary>
internal sealed record AnnDataset(string Name, DistanceMetric Metric, int Dimension, float[] Base, float[] Queries)
{
    public const int K = 10;

    public int Rows => Base.Length / Dimension;

    public int QueryCount => Queries.Length / Dimension;

    /// <summary>Row numbers of the exact 10 nearest, query by query.</summary>
    public long[] Truth { get; private set; } = [];

    /// <summary>Mean distance to the 10th nearest neighbour (the scale hashing widths are set from).</summary>
    public double TenthNeighbourDistance { get; private set; }

    public string BasePath { get; private set; } = "";

    public string QueriesPath { get; private set; } = "";

    public string TruthPath { get; private set; } = "";

    /// <summary>Computes the ground truth and writes the three .npy files under <paramref name="folder"/>.</summary>
    public AnnDataset Prepare(string folder)
    {
        using var exact = new Flat(Dimension, Metric);
        exact.Add(Base, [.. Enumerable.Range(0, Rows).Select(i => (long)i)]);
        var distances = new float[QueryCount * K];
        Truth = new long[QueryCount * K];
        exact.Search(Queries, K, distances, Truth);
        TenthNeighbourDistance = Enumerable.Range(0, QueryCount).Average(q => (double)distances[(q * K) + K - 1]);
        Directory.CreateDirectory(folder);
        BasePath = Path.Combine(folder, $"{Name}-base.npy");
        QueriesPath = Path.Combine(folder, $"{Name}-queries.npy");
        TruthPath = Path.Combine(folder, $"{Name}-truth.npy");
        NpyFile.Write(BasePath, Base, Rows, Dimension);
        NpyFile.Write(QueriesPath, Queries, QueryCount, Dimension);
        NpyFile.Write(TruthPath, [.. Truth.Select(id => (float)id)], QueryCount, K);
        return this;
    }

    /// <summary>recall@10 of <paramref name="found"/> (n×10 ids = row numbers) against the truth.</summary>
    public double Recall(ReadOnlySpan<long> found)
    {
        long hits = 0;
        for (int q = 0; q < QueryCount; q++)
        {
            var truth = Truth.AsSpan(q * K, K);
            foreach (long id in found.Slice(q * K, K))
            {
                if (id >= 0 && truth.Contains(id)) hits++;
            }
        }
        return (double)hits / (QueryCount * K);
    }
}
