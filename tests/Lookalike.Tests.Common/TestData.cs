namespace Lookalike.Tests.Common;

/// <summary>
/// Where the real test data lives: the <c>shared</c> folder beside the repository (read-only; tests
/// never write there), or the folder named by LOOKALIKE_SHARED.
/// </summary>
public static class TestData
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string SharedDir { get; } = Environment.GetEnvironmentVariable("LOOKALIKE_SHARED") is { Length: > 0 } dir
        ? Path.GetFullPath(dir)
        : Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared"));

    public static string ModelPath => Path.Combine(SharedDir, "models", "resnet50-keras-imagenet.onnx");

    public static string ImageNetLabelsPath => Path.Combine(SharedDir, "models", "imagenet-labels.json");

    public static string Photo(string name) => Path.Combine(SharedDir, "images", name);

    public static string Cifar10Test => Path.Combine(SharedDir, "datasets", "cifar10", "test");

    public static string Cifar10Train => Path.Combine(SharedDir, "datasets", "cifar10", "train");

    public static bool SharedDataPresent => File.Exists(ModelPath) && Directory.Exists(Cifar10Test);

    /// <summary>CI provides every resource, so gated tests must run there rather than skip.</summary>
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The first <paramref name="perClass"/> files of each class of a CIFAR-10 split, in name order.</summary>
    public static IReadOnlyList<(string Path, string Label)> CifarSample(string split, int perClass)
    {
        return Directory.GetDirectories(split).Order(StringComparer.Ordinal)
            .SelectMany(dir => Directory.GetFiles(dir).Order(StringComparer.Ordinal).Take(perClass)
                .Select(f => (f, Path.GetFileName(dir))))
            .ToList();
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Lookalike.slnx"))) return dir.FullName;
        }
        throw new InvalidOperationException("Cannot find Lookalike.slnx above the test binaries.");
    }
}
