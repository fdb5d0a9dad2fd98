using System.Globalization;
using Lookalike.Indexes;
using Lookalike.Indexes.Quantization;

namespace Lookalike.Ann;

/// <summary>Which indexes and settings each tool runs on a dataset; the same knobs for Lookalike and its peers.</summary>
internal sealed class AnnPlan(bool quick)
{
    /// <summary>faiss's rule of thumb, about 4·√n lists (a power of two, at most 1,024); 256 for 2048-d sets, whose k-means would otherwise take most of the run.</summary>
    public int Lists(AnnDataset data) => quick ? 64 : data.Dimension > 1024 ? 256 : Math.Min(1024, (int)Math.Pow(2, Math.Round(Math.Log2(4 * Math.Sqrt(data.Rows)))));

    private int[] EfSearch => quick ? [10, 16, 32, 64, 128] : [10, 16, 24, 32, 48, 64, 96, 128, 256];

    private int[] NProbe => quick ? [1, 2, 4, 8] : [1, 2, 4, 6, 8, 16, 32];

    private static Setting[] Of(string name, IEnumerable<int> values) => [.. values.Select(v => Setting.Of(name, v))];

    public IEnumerable<Contender> Lookalike(AnnDataset data, InMemoryVectorSource vectors)
    {
        int lists = Lists(data);
        // Hashing widths follow the data's scale: twice the mean distance to the 10th neighbour (as L2 between the normalised vectors for cosine).
        double scale = data.Metric == DistanceMetric.Cosine ? Math.Sqrt(2 * data.TenthNeighbourDistance) : data.TenthNeighbourDistance;
        string width = (2 * scale).ToString("G3", CultureInfo.InvariantCulture);
        int pca = Math.Min(256, data.Dimension / 4);
        yield return new LookalikeContender("Flat", "Lookalike Flat", [Setting.None], (_, threads) => new SearchParameters { Threads = threads }, vectors);
        yield return new LookalikeContender("Hnsw(m=16,efConstruction=200)", "Lookalike Hnsw", Of("efSearch", EfSearch),
            (s, threads) => new HnswSearchParameters { EfSearch = s.Values["efSearch"], Threads = threads }, vectors);
        yield return new LookalikeContender("Sq(storage=sq8)", "Lookalike SQ8", Of("rerank", quick ? [0, 32] : [0, 16, 32, 64, 256]),
            (s, threads) => new SqSearchParameters { Rerank = s.Values["rerank"], Threads = threads }, vectors);
        yield return new LookalikeContender("Sq(storage=f16)", "Lookalike F16", Of("rerank", [0]),
            (s, threads) => new SqSearchParameters { Rerank = s.Values["rerank"], Threads = threads }, vectors);
        yield return new LookalikeContender($"Ivf(lists={lists})", "Lookalike Ivf", Of("nprobe", NProbe),
            (s, threads) => new IvfSearchParameters { NProbe = s.Values["nprobe"], Threads = threads }, vectors);
        yield return new LookalikeContender($"Pca(dims={pca}),Ivf(lists={lists})", "Lookalike Pca,Ivf", Of("nprobe", quick ? [8] : [8, 16, 32]),
            (s, threads) => new IvfSearchParameters { NProbe = s.Values["nprobe"], Threads = threads }, vectors);
        yield return new LookalikeContender($"Refine(rerank=100),Pca(dims={pca}),Ivf(lists={lists})", "Lookalike Refine,Pca,Ivf", Of("nprobe", quick ? [8] : [8, 16, 32]),
            (s, threads) => new IvfSearchParameters { NProbe = s.Values["nprobe"], Threads = threads }, vectors);
        yield return new LookalikeContender($"E2Lsh(tables=8,projections=4,width={width})", "Lookalike E2Lsh", Of("probes", quick ? [0, 16] : [0, 8, 32]),
            (s, threads) => new LshSearchParameters { Probes = s.Values["probes"], Threads = threads }, vectors);
        yield return new LookalikeContender("HyperplaneLsh(tables=16,bits=16)", "Lookalike HyperplaneLsh", Of("radius", [0, 1]),
            (s, threads) => new LshSearchParameters { Probes = s.Values["radius"], Threads = threads }, vectors);
    }

    public IEnumerable<Contender> Peers(AnnDataset data, PythonPeers peers)
    {
        int lists = Lists(data);
        yield return new PythonContender(peers, "faiss", "faiss-flat", data.Metric == DistanceMetric.Cosine ? "IndexFlatIP" : "IndexFlatL2",
            "faiss Flat", [], [Setting.None]);
        yield return new PythonContender(peers, "faiss", "faiss-hnsw", "IndexHNSWFlat(M=16,efConstruction=200)", "faiss HNSW",
            new() { ["m"] = 16, ["efConstruction"] = 200 }, Of("efSearch", EfSearch));
        yield return new PythonContender(peers, "faiss", "faiss-ivf", $"IndexIVFFlat(nlist={lists})", "faiss IVF",
            new() { ["lists"] = lists }, Of("nprobe", NProbe));
        yield return new PythonContender(peers, "faiss", "faiss-lsh", "IndexLSH(256 bits)+IndexRefineFlat", "faiss LSH+refine",
            new() { ["bits"] = 256 }, Of("kFactor", quick ? [16] : [4, 16, 64]));
        yield return new PythonContender(peers, "hnswlib", "hnswlib", "HNSW(M=16,efConstruction=200)", "hnswlib",
            new() { ["m"] = 16, ["efConstruction"] = 200 }, Of("efSearch", EfSearch));
    }

    public IEnumerable<Contender> USearch(AnnDataset data)
    {
        // One build per setting (its expansion_search is fixed when built), and the C# binding adds one vector at a
        // time on one thread (over a minute for 60k × 784): none on the large set.
        int[] efs = quick ? [32] : data.Rows > 100_000 ? [] : [16, 32, 64, 128];
        return efs.Select(ef => new USearchContender(16, 200, ef));
    }
}
