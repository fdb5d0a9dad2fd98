using Lookalike.Tests.Common;

namespace Lookalike.Cli.Tests;

/// <summary>
/// 500 CIFAR-10 test images (50 a class, layout class/file) indexed once with the real ResNet50
/// through <c>lookalike index</c>; shared by the tests of a class.
/// </summary>
public sealed class IndexedCifarFixture : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();

    public string Images => _temp.Combine("images");

    public string Collection => _temp.Combine("collection");

    public CliRunner.Result FirstRun { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!TestData.SharedDataPresent && !TestData.InCi) return;
        foreach (var (path, label) in TestData.CifarSample(TestData.Cifar10Test, perClass: 50))
        {
            string folder = Path.Combine(Images, label);
            Directory.CreateDirectory(folder);
            File.Copy(path, Path.Combine(folder, Path.GetFileName(path)));
        }
        FirstRun = await CliRunner.RunAsync("index", Images, "--collection", Collection, "--model", TestData.ModelPath,
            "--labels-from-folders", "--index", "Flat", "--index", IvfSpec);
    }

    /// <summary>The approximate index saved with the collection.</summary>
    public const string IvfSpec = "Ivf(lists=8,nprobe=2,seed=42)";

    public Task DisposeAsync()
    {
        _temp.Dispose();
        return Task.CompletedTask;
    }
}
