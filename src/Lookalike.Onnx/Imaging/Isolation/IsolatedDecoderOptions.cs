namespace Lookalike.Onnx.Imaging.Isolation;

/// <summary>How <see cref="IsolatedImageDecoder"/> starts and manages its worker processes.</summary>
public sealed record IsolatedDecoderOptions
{
    /// <summary>The file name of the worker executable shipped beside the Lookalike assemblies.</summary>
    public const string WorkerName = "lookalike-decoder";

    /// <summary>The program to start.</summary>
    public required string FileName { get; init; }

    /// <summary>Its arguments.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>Worker processes at most (decodes running at once); more callers wait.</summary>
    public int Workers { get; init; } = 2;

    /// <summary>How long one decode may take before its worker is killed.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>A worker is replaced after this many decodes, so native memory it holds goes back to the system.</summary>
    public int RecycleAfter { get; init; } = 256;

    /// <summary>A worker whose resident memory exceeds this after a decode is replaced.</summary>
    public long RecycleAboveBytes { get; init; } = 384L * 1024 * 1024;

    /// <summary>Decoder limits the workers apply.</summary>
    public ImageLoaderOptions Loader { get; init; } = new();

    /// <summary>The worker shipped with Lookalike (<c>lookalike-decoder</c> beside this assembly).</summary>
    /// <exception cref="Errors.LookalikeException">when it is not there.</exception>
    public static IsolatedDecoderOptions Installed(ImageLoaderOptions? loader = null)
    {
        string folder = AppContext.BaseDirectory;
        string dll = Path.Combine(folder, WorkerName + ".dll");
        if (!File.Exists(dll))
            throw new Errors.LookalikeException($"The decoding worker '{dll}' is missing; reinstall Lookalike.");
        // Started through the same .NET host that runs this process when there is one, else through 'dotnet' on the PATH.
        string? host = Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : null;
        return new IsolatedDecoderOptions
        {
            FileName = host ?? "dotnet",
            Arguments = ["exec", dll],
            Loader = loader ?? new ImageLoaderOptions(),
        };
    }
}
