using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lookalike.Ann;

/// <summary>The faiss and hnswlib process (bench/ann/peers.py under /usr/bin/python3), kept alive for the whole run.</summary>
internal sealed class PythonPeers : IDisposable
{
    private readonly Process _process;

    public PythonPeers(string script)
    {
        var start = new ProcessStartInfo("/usr/bin/python3", [script])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        // One BLAS thread pool: faiss's OpenMP decides the threads, not OpenBLAS on top of it.
        start.Environment["OPENBLAS_NUM_THREADS"] = "1";
        _process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start.");
        var ready = Read();
        Version = ready["faiss"]?.GetValue<string>() ?? "?";
    }

    /// <summary>faiss's version.</summary>
    public string Version { get; }

    /// <summary>Sends one request and returns the reply (an error reply throws).</summary>
    public JsonObject Call(object request)
    {
        _process.StandardInput.WriteLine(JsonSerializer.Serialize(request));
        _process.StandardInput.Flush();
        var reply = Read();
        if (reply["error"] is { } error) throw new InvalidOperationException($"peers.py: {error}");
        return reply;
    }

    private JsonObject Read()
    {
        string line = _process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("peers.py exited (is python3-faiss installed?).");
        return JsonNode.Parse(line)!.AsObject();
    }

    public void Dispose()
    {
        _process.StandardInput.Close();
        if (!_process.WaitForExit(10_000)) _process.Kill();
        _process.Dispose();
    }
}

/// <summary>One faiss or hnswlib index in the peers process.</summary>
internal sealed class PythonContender(PythonPeers peers, string tool, string kind, string index, string family,
    Dictionary<string, int> build, IReadOnlyList<Setting> settings) : Contender
{
    private readonly string _name = $"{kind}-{Guid.NewGuid():N}";

    public override string Tool => tool;

    public override string Index => index;

    public override string Family => family;

    public override IReadOnlyList<Setting> Settings => settings;

    public override (double Seconds, double BytesPerVector) Build(AnnDataset data)
    {
        var reply = peers.Call(new { op = "build", name = _name, index = kind, @params = build });
        return (reply["build_s"]!.GetValue<double>(), reply["bytes_per_vector"]!.GetValue<double>());
    }

    public override Measurement Measure(AnnDataset data, Setting setting, double seconds)
    {
        var reply = peers.Call(new { op = "measure", name = _name, setting = setting.Values, seconds });
        return new Measurement(reply["recall10"]!.GetValue<double>(), reply["qps_1thread"]!.GetValue<double>(),
            reply["qps_all_threads"]!.GetValue<double>(), reply["distances_per_query"]?.GetValue<double>());
    }
}
