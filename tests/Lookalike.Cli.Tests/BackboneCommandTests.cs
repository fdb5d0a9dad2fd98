using System.Text.Json;
using Lookalike.Tests.Common;

namespace Lookalike.Cli.Tests;

/// <summary><c>model quantize</c>, <c>--device</c>, <c>bench backbones</c> and <c>bench finetune</c> from the command line.</summary>
[Collection(StageMapCacheUsers.Name)]
public sealed class BackboneCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    [SharedDataFact]
    public async Task Quantize_refuses_too_few_images_a_missing_folder_and_its_own_input_as_output()
    {
        var few = await CliRunner.RunAsync("model", "quantize", "--model", TestData.ModelPath, "--calibrate", TestData.Cifar10Train,
            "--images", "50", "--out", _temp.Combine("int8.onnx"));
        Assert.Equal(2, few.ExitCode);
        Assert.Contains("--images must be at least 200", few.Error, StringComparison.Ordinal);
        var missing = await CliRunner.RunAsync("model", "quantize", "--model", TestData.ModelPath, "--calibrate", _temp.Combine("none"),
            "--out", _temp.Combine("int8.onnx"));
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("does not exist", missing.Error, StringComparison.Ordinal);
        var self = await CliRunner.RunAsync("model", "quantize", "--model", TestData.ModelPath, "--calibrate", TestData.Cifar10Train,
            "--out", TestData.ModelPath);
        Assert.Equal(1, self.ExitCode);
        Assert.Contains("must not be the model", self.Error, StringComparison.Ordinal);
        var other = await CliRunner.RunAsync("model", "fetch", "resnet18", "--calibrate", TestData.Cifar10Train, "--out", _temp.Combine("models"));
        Assert.Equal(1, other.ExitCode);
        Assert.Contains("--calibrate is for resnet50-int8", other.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(_temp.Combine("int8.onnx")));
    }

    [SharedDataFact]
    public async Task An_unknown_device_is_a_usage_error_and_cuda_without_the_gpu_build_says_what_it_needs()
    {
        var unknown = await CliRunner.RunAsync("search", TestData.Photo("chelsea.png"), "--collection", _temp.Combine("c"), "--device", "gpu");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("cpu, cuda or cuda:N", unknown.Error, StringComparison.Ordinal);
        var cuda = await CliRunner.RunAsync("index", TestData.Photo("chelsea.png").Replace("chelsea.png", "", StringComparison.Ordinal),
            "--collection", _temp.Combine("c"), "--model", TestData.ModelPath, "--device", "cuda:1");
        Assert.Equal(1, cuda.ExitCode);
        Assert.Contains("CUDA device 1 cannot be used", cuda.Error, StringComparison.Ordinal);
    }

    [SharedDataFact]
    public async Task Bench_backbones_prints_one_row_per_model_with_quality_per_dataset_and_writes_json()
    {
        string json = _temp.Combine("bench.json");
        var result = await CliRunner.RunAsync("bench", "backbones", "--model", TestData.ModelPath, "--model", TestData.ModelPath,
            "--db-per-class", "3", "--queries-per-class", "1", "--fashion-db-per-class", "3", "--fashion-queries-per-class", "1",
            "--settings-model", TestData.ModelPath, "--json", json);
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("| backbone | dim | bytes/vector |", result.Output, StringComparison.Ordinal);
        Assert.Contains("QDQ fusion off", result.Output, StringComparison.Ordinal);
        using var report = JsonDocument.Parse(File.ReadAllBytes(json));
        var rows = report.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(2, rows.Count);
        foreach (var row in rows)
        {
            Assert.Equal(2048, row.GetProperty("dimension").GetInt32());
            Assert.Equal(8192, row.GetProperty("bytesPerVector").GetInt32());
            Assert.True(row.GetProperty("inferenceImagesPerSecond").GetDouble() > 0);
            var quality = row.GetProperty("quality").EnumerateArray().ToList();
            Assert.Equal(["CIFAR-10", "Fashion-MNIST"], quality.Select(q => q.GetProperty("dataset").GetString()));
            Assert.All(quality, q => Assert.InRange(q.GetProperty("mapAt10").GetDouble(), 0, 1));
            Assert.Equal(30, quality[0].GetProperty("database").GetInt32());
            Assert.Equal(10, quality[0].GetProperty("queries").GetInt32());
        }
        // The same model twice gives the same features, hence the same quality.
        Assert.Equal(rows[0].GetProperty("quality")[0].GetProperty("mapAt10").GetDouble(), rows[1].GetProperty("quality")[0].GetProperty("mapAt10").GetDouble());
    }

    [SharedDataFact]
    public async Task Bench_finetune_measures_the_three_kinds_of_features_and_the_training_and_writes_json()
    {
        string json = _temp.Combine("finetune.json");
        var result = await CliRunner.RunAsync("bench", "finetune", "--model", TestData.ModelPath, "--db-per-class", "10", "--queries-per-class", "1",
            "--fashion-db-per-class", "0", "--epochs", "1", "--warmup-head-epochs", "3", "--stage-batch", "8", "--augment", "flip", "--batch-statistics", "--json", json);
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("| (a) ImageNet mAP@10 |", result.Output, StringComparison.Ordinal);
        Assert.Contains("batch norms: batch statistics", result.Output, StringComparison.Ordinal);
        Assert.Contains("warm-up: head alone", result.Output, StringComparison.Ordinal);
        using var report = JsonDocument.Parse(File.ReadAllBytes(json));
        Assert.True(report.RootElement.GetProperty("gemmGflops").GetDouble() > 0);
        Assert.True(report.RootElement.GetProperty("batchStatistics").GetBoolean());
        var row = Assert.Single(report.RootElement.GetProperty("results").EnumerateArray());
        Assert.Equal("CIFAR-10", row.GetProperty("dataset").GetString());
        // 90 training images after the 10 % held out for validation, each with a flipped copy.
        Assert.Equal(90, row.GetProperty("copiedImages").GetInt32());
        foreach (string kind in new[] { "imageNet", "head", "warmupHead", "stage", "stageAndHead" })
        {
            var quality = row.GetProperty(kind);
            Assert.Equal((100, 10), (quality.GetProperty("database").GetInt32(), quality.GetProperty("queries").GetInt32()));
            Assert.InRange(quality.GetProperty("mapAt10").GetDouble(), 0, 1);
        }
        var epoch = Assert.Single(row.GetProperty("epochs").EnumerateArray());
        Assert.True(epoch.GetProperty("imagesPerSecond").GetDouble() > 0);
        Assert.InRange(row.GetProperty("warmupEpochs").GetInt32(), 1, 3);
        double warmupLoss = row.GetProperty("warmup").GetProperty("validationLoss").GetDouble();
        // The joint epoch is kept only when it beats the warm-up; when it is not, the stage is the parent's and so are its features.
        bool kept = row.GetProperty("bestEpoch").GetInt32() == 1;
        Assert.Equal(kept, epoch.GetProperty("validationLoss").GetDouble() < warmupLoss);
        if (!kept)
        {
            Assert.Equal(row.GetProperty("imageNet").GetProperty("mapAt10").GetDouble(), row.GetProperty("stage").GetProperty("mapAt10").GetDouble(), 6);
            Assert.Equal(row.GetProperty("warmupHead").GetProperty("mapAt10").GetDouble(), row.GetProperty("stageAndHead").GetProperty("mapAt10").GetDouble(), 6);
        }
    }

    [Fact]
    public async Task Bench_finetune_refuses_to_leave_out_both_datasets()
    {
        var result = await CliRunner.RunAsync("bench", "finetune", "--db-per-class", "0", "--fashion-db-per-class", "0");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("nothing to measure", result.Error, StringComparison.Ordinal);
    }

    public void Dispose() => _temp.Dispose();
}
