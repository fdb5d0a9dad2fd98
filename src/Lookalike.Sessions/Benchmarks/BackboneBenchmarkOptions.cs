namespace Lookalike.Sessions.Benchmarks;

/// <summary>What <see cref="BackboneBenchmark"/> compares, on which data.</summary>
public sealed record BackboneBenchmarkOptions
{
    /// <summary>Backbone names or ONNX files to compare, in table order.</summary>
    public IReadOnlyList<string> Models { get; init; } = ["resnet50", "resnet50-int8", "resnet18"];

    /// <summary>CIFAR-10 as images: a folder with <c>train/class/image</c> and <c>test/class/image</c>.</summary>
    public required string Cifar10 { get; init; }

    /// <summary>Database images per CIFAR-10 class (from train).</summary>
    public int DatabasePerClass { get; init; } = 1000;

    /// <summary>Query images per CIFAR-10 class (from test).</summary>
    public int QueriesPerClass { get; init; } = 100;

    /// <summary>Database images per Fashion-MNIST class (from its test split), or 0 to leave Fashion-MNIST out.</summary>
    public int FashionDatabasePerClass { get; init; } = 500;

    /// <summary>Query images per Fashion-MNIST class (the next images of its test split).</summary>
    public int FashionQueriesPerClass { get; init; } = 50;

    /// <summary>
    /// The model whose ONNX Runtime settings are compared (<see cref="BackboneBenchmark.RuntimeSettings"/>); null: the
    /// first of <see cref="Models"/> that Lookalike quantized, if any.
    /// </summary>
    public string? SettingsModel { get; init; }

    /// <summary>Images timed for the speed columns.</summary>
    public int SpeedImages { get; init; } = 100;

    /// <summary>Where the data subsets and the throw-away collections go; features are cached under <see cref="CacheDirectory"/>.</summary>
    public required string WorkDirectory { get; init; }

    /// <summary>Feature cache shared with <c>eval</c> (content-addressed per model).</summary>
    public required string CacheDirectory { get; init; }

    /// <summary>Where the networks run.</summary>
    public Onnx.ExecutionDevice Device { get; init; }
}
