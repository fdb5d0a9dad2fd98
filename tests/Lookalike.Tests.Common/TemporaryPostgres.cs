using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Lookalike.Tests.Common;

/// <summary>
/// A real PostgreSQL server for tests: <c>initdb</c> into a temporary folder and <c>pg_ctl start</c> on a
/// free loopback port, stopped and deleted when the test process exits. Run as the <c>postgres</c>
/// user when the tests run as root (the server refuses root). Set <c>LOOKALIKE_TEST_POSTGRES</c> to
/// an Npgsql connection string to use a running server instead.
/// </summary>
public sealed class TemporaryPostgres : IDisposable
{
    private static readonly Lazy<TemporaryPostgres> LazyShared = new(() => Start());

    private readonly string? _folder;

    private TemporaryPostgres(string host, int port, string? folder)
    {
        Host = host;
        Port = port;
        _folder = folder;
    }

    /// <summary>One server for the whole test process.</summary>
    public static TemporaryPostgres Shared => LazyShared.Value;

    /// <summary>The folder of PostgreSQL's programs, or null when none is installed.</summary>
    public static string? Binaries { get; } = FindBinaries();

    /// <summary>Why the PostgreSQL tests cannot run here, or null when they can.</summary>
    public static string? Unavailable => Environment.GetEnvironmentVariable("LOOKALIKE_TEST_POSTGRES") is { Length: > 0 } || Binaries is not null
        ? null
        : "PostgreSQL is not installed (no initdb/pg_ctl on PATH or in /usr/lib/postgresql/*/bin): apt-get install postgresql";

    /// <summary>Server host.</summary>
    public string Host { get; }

    /// <summary>Server port.</summary>
    public int Port { get; }

    /// <summary>A connection string to the <c>postgres</c> database.</summary>
    public string ConnectionString => Environment.GetEnvironmentVariable("LOOKALIKE_TEST_POSTGRES") is { Length: > 0 } given
        ? given
        : $"Host={Host};Port={Port};Username=postgres;Database=postgres";

    /// <summary>A collection location in URL form.</summary>
    public string Location(string collection) => Environment.GetEnvironmentVariable("LOOKALIKE_TEST_POSTGRES") is { Length: > 0 } given
        ? $"{given};Collection={collection}"
        : $"postgres://postgres@{Host}:{Port}/postgres?collection={collection}";

    /// <summary>Starts a server of its own (the caller disposes it).</summary>
    public static TemporaryPostgres Start()
    {
        if (Environment.GetEnvironmentVariable("LOOKALIKE_TEST_POSTGRES") is { Length: > 0 }) return new TemporaryPostgres("", 0, null);
        string binaries = Binaries ?? throw new InvalidOperationException(Unavailable);
        string folder = Directory.CreateTempSubdirectory("lookalike-pg-").FullName;
        string data = Path.Combine(folder, "data");
        bool root = Environment.UserName == "root";
        if (root) Run("chown", "postgres:postgres", folder);
        int port = FreePort();
        RunAs(root, Path.Combine(binaries, "initdb"), "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync");
        RunAs(root, Path.Combine(binaries, "pg_ctl"), "-D", data, "-l", Path.Combine(folder, "server.log"), "-w", "-t", "60",
            "-o", $"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=300", "start");
        var server = new TemporaryPostgres("127.0.0.1", port, folder);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Dispose();
        return server;
    }

    /// <summary>Stops the server and deletes its folder.</summary>
    public void Dispose()
    {
        if (_folder is null || !Directory.Exists(_folder)) return;
        try
        {
            RunAs(Environment.UserName == "root", Path.Combine(Binaries!, "pg_ctl"), "-D", Path.Combine(_folder, "data"), "-m", "immediate", "-w", "stop");
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Left for the system's temporary-file cleanup.
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void RunAs(bool root, string program, params string[] arguments)
    {
        if (root) Run("runuser", ["-u", "postgres", "--", program, .. arguments]);
        else Run(program, arguments);
    }

    private static void Run(string program, params string[] arguments)
    {
        // From a folder every user may enter (the postgres user may not enter the test's).
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {program}.");
        var output = process.StandardOutput.ReadToEndAsync();
        string errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}): {errors}{output.Result}");
    }

    private static string? FindBinaries()
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            if (File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")))
                return Path.GetDirectoryName(ResolveLink(Path.Combine(dir, "initdb")));
        }
        const string debian = "/usr/lib/postgresql";
        if (!Directory.Exists(debian)) return null;
        return Directory.GetDirectories(debian)
            .Select(d => Path.Combine(d, "bin"))
            .Where(d => File.Exists(Path.Combine(d, "initdb")))
            .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out int v) ? v : 0)
            .FirstOrDefault();
    }

    private static string ResolveLink(string path) => new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;
}
