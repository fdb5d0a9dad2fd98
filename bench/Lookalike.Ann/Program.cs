using System.Globalization;
using Lookalike.Ann;
using Lookalike.Indexes;

// Approximate nearest-neighbour benchmark: every Lookalike index at several settings and its peers
// (faiss and hnswlib in a Python process, USearch in this one), on the same vectors, the same
// ground truth and the same machine, measured in alternating rounds (Lookalike, peers, USearch,
// Lookalike, …) with the median of the rounds reported.
// Usage: dotnet run -c Release --project bench/Lookalike.Ann -- [--quick] [--out DIR] [--rounds N] [--shared DIR]
//        [--datasets fashion-mnist,cifar10,cifar10-test,synthetic] [--only "Lookalike Flat,Lookalike Hnsw"] [--peers bench/ann/peers.py]
// --only keeps the index families named (as in the plots' legends).
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
bool quick = args.Contains("--quick");
string Option(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
string root = FindRoot();
string output = Option("--out", Path.Combine(root, "artifacts", "bench"));
string shared = Option("--shared", Path.Combine(Path.GetDirectoryName(root)!, "shared"));
int rounds = int.Parse(Option("--rounds", "3"), CultureInfo.InvariantCulture);
string[] wanted = Option("--datasets", quick ? "fashion-mnist" : "fashion-mnist,cifar10-test,synthetic").Split(',');
double seconds = quick ? 0.25 : 1.0;
string[] only = Option("--only", "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
bool Wanted(Contender contender) => only.Length == 0 || only.Contains(contender.Family, StringComparer.OrdinalIgnoreCase);
var plan = new AnnPlan(quick);
string work = Path.Combine(Path.GetTempPath(), $"lookalike-ann-{Environment.ProcessId}");

using var peers = new PythonPeers(Option("--peers", Path.Combine(root, "bench", "ann", "peers.py")));
string header = $"# ANN benchmark{(quick ? " (quick)" : "")}\n\n{Environment.ProcessorCount} cores; faiss {peers.Version} and hnswlib " +
    $"(Debian, OpenBLAS), USearch {Cloud.Unum.USearch.USearchCapabilities.Version()}; k = 10; medians of {rounds} alternating rounds; " +
    "q/s 1 thread = one query per call on one thread; all threads = every query in one call.\n";
Console.WriteLine(header);
var rows = new List<AnnRow>();
try
{
    foreach (string name in wanted)
    {
        var data = name switch
        {
            "fashion-mnist" => AnnDatasets.FashionMnist(quick ? 10_000 : 60_000, quick ? 200 : 1000),
            "cifar10" => await AnnDatasets.Cifar10(shared, 1000, testSplitOnly: false),
            "cifar10-test" => await AnnDatasets.Cifar10(shared, 1000, testSplitOnly: true),
            "synthetic" => AnnDatasets.Synthetic(200_000, 200, 2048),
            _ => throw new ArgumentException($"Unknown dataset '{name}' (fashion-mnist, cifar10, cifar10-test, synthetic)."),
        };
        data.Prepare(work);
        Console.WriteLine($"{data.Name}: {data.Rows} × {data.Dimension}, {data.QueryCount} queries, {data.Metric}");
        rows.AddRange(Run(data));
        File.Delete(data.BasePath);
        AnnReport.Write(output, rows, header);
    }
}
finally
{
    if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
}
Console.WriteLine($"Wrote {Path.Combine(output, "ann.json")}, ann.md and plots.");

IEnumerable<AnnRow> Run(AnnDataset data)
{
    peers.Call(new { op = "load", @base = data.BasePath, queries = data.QueriesPath, truth = data.TruthPath, metric = data.Metric == DistanceMetric.Cosine ? "cosine" : "l2" });
    var vectors = new InMemoryVectorSource(data.Dimension);
    vectors.Add(data.Base, [.. Enumerable.Range(0, data.Rows).Select(i => (long)i)]);
    // Alternation groups: Lookalike, the Python peers, USearch.
    List<Contender>[] groups = [[.. plan.Lookalike(data, vectors).Where(Wanted)], [.. plan.Peers(data, peers).Where(Wanted)], [.. plan.USearch(data).Where(Wanted)]];
    try
    {
        var built = new Dictionary<Contender, (double Seconds, double Bytes)>();
        foreach (var contender in groups.SelectMany(g => g))
        {
            built[contender] = contender.Build(data);
            Console.WriteLine($"  built {contender.Tool} {contender.Index} in {built[contender].Seconds:F1} s");
        }
        var measured = new Dictionary<(Contender, Setting), List<Measurement>>();
        for (int round = 1; round <= rounds; round++)
        {
            foreach (var contender in groups.SelectMany(g => g))
            {
                foreach (var setting in contender.Settings)
                {
                    var m = contender.Measure(data, setting, seconds);
                    if (!measured.TryGetValue((contender, setting), out var list)) measured[(contender, setting)] = list = [];
                    list.Add(m);
                    if (round == rounds)
                        Console.WriteLine($"  {contender.Tool} {contender.Index} {setting.Text}: recall {m.Recall10:F3}, {m.Qps1Thread:F0} q/s (1 thread), {m.QpsAllThreads:F0} q/s (all)");
                }
            }
        }
        return [.. measured.Select(pair =>
        {
            var (contender, setting) = pair.Key;
            var list = pair.Value;
            return new AnnRow(data.Name, contender.Tool, contender.Index, contender.Family, setting.Text, Median(list.Select(m => m.Recall10)),
                Median(list.Select(m => m.Qps1Thread)), Median(list.Select(m => m.QpsAllThreads)), built[contender].Seconds, built[contender].Bytes,
                list[0].DistancesPerQuery is null ? null : Median(list.Select(m => m.DistancesPerQuery ?? 0)), list.Count);
        })];
    }
    finally
    {
        foreach (var contender in groups.SelectMany(g => g)) contender.Dispose();
        peers.Call(new { op = "drop" });
    }
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
}

// The folder holding Lookalike.slnx.
static string FindRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Lookalike.slnx"))) return dir.FullName;
    }
    throw new InvalidOperationException("Run from inside the repository (Lookalike.slnx not found).");
}
