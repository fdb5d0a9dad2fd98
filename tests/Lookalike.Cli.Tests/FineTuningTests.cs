using System.Text.Json;
using Lookalike.Collections;
using Lookalike.Tests.Common;

namespace Lookalike.Cli.Tests;

/// <summary><c>train</c> on real ResNet50 features, then collections and <c>eval</c> with the fine-tuned head.</summary>
[Collection(StageMapCacheUsers.Name)]
public sealed class FineTuningTests(IndexedCifarFixture cifar) : IClassFixture<IndexedCifarFixture>, IDisposable
{
    private readonly TempDirectory _temp = new();

    private async Task<string> TrainAsync(string name, params string[] extra)
    {
        string output = _temp.Combine(name);
        var result = await CliRunner.RunAsync(["train", "--db", cifar.Collection, "--head", "dropout(0.3),dense(64,relu),dense(16,relu)",
            "--lr", "1e-3", "--epochs", "30", "--patience", "5", "--out", output, .. extra]);
        Assert.True(result.ExitCode == 0, result.Error);
        return output;
    }

    [SharedDataFact]
    public async Task Train_prints_a_report_and_saves_head_and_curves()
    {
        string output = await TrainAsync("softmax");
        foreach (string file in new[] { "head.json", "report.txt", "report.json", "loss.png", "accuracy.png" })
            Assert.True(File.Exists(Path.Combine(output, file)), file);
        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "report.json")));
        // 500 CIFAR images, 10 classes, 50 validation images: ResNet50 features make this far better than chance (0.1).
        double accuracy = report.RootElement.GetProperty("report").GetProperty("accuracy").GetDouble();
        Assert.True(accuracy > 0.5, $"validation accuracy {accuracy}");
        Assert.Equal(16, report.RootElement.GetProperty("embeddingWidth").GetInt32());
        Assert.Contains("weighted avg", await File.ReadAllTextAsync(Path.Combine(output, "report.txt")));
    }

    [SharedDataFact]
    public async Task A_collection_with_a_head_stores_and_searches_fine_tuned_features()
    {
        string head = Path.Combine(await TrainAsync("for-collection"), "head.json");
        string images = _temp.Combine("few");
        foreach (string label in new[] { "cat", "ship" })
        {
            Directory.CreateDirectory(Path.Combine(images, label));
            foreach (string file in Directory.GetFiles(Path.Combine(cifar.Images, label)).Order().Take(5))
                File.Copy(file, Path.Combine(images, label, Path.GetFileName(file)));
        }
        string collection = _temp.Combine("tuned");
        var indexed = await CliRunner.RunAsync("index", images, "--collection", collection, "--model", TestData.ModelPath, "--labels-from-folders", "--head", head);
        Assert.True(indexed.ExitCode == 0, indexed.Error);
        await using (var store = EmbeddedCollection.OpenReadOnly(collection))
        {
            Assert.Equal(16, store.Info.Model.Dimension);
            Assert.Equal($"{Path.GetFileNameWithoutExtension(TestData.ModelPath)}+head", store.Info.Model.Id);
            Assert.Equal(Path.GetFullPath(head), store.Info.Model.Head);
        }
        string query = Directory.GetFiles(Path.Combine(images, "ship")).Order().First();
        var search = await CliRunner.RunAsync("search", query, "--collection", collection, "-k", "3", "--json");
        Assert.Equal(0, search.ExitCode);
        using var json = JsonDocument.Parse(search.Output);
        var first = json.RootElement.GetProperty("results")[0];
        Assert.Equal(Path.GetFullPath(query), first.GetProperty("path").GetString());
        Assert.True(first.GetProperty("distance").GetDouble() < 1e-4);

        string other = Path.Combine(await TrainAsync("other", "--seed", "7"), "head.json");
        var mixed = await CliRunner.RunAsync("index", images, "--collection", collection, "--head", other);
        Assert.Equal(1, mixed.ExitCode);
        Assert.Contains($"was built with model {Path.GetFileNameWithoutExtension(TestData.ModelPath)}+head", mixed.Error);
    }

    [SharedDataFact]
    public async Task Eval_accepts_the_head()
    {
        string head = Path.Combine(await TrainAsync("for-eval"), "head.json");
        var result = await CliRunner.RunAsync("eval", "--db", cifar.Collection, "--queries", cifar.Collection, "--queries-per-class", "5",
            "--head", head, "--index", "Flat", "--index", "Ivf(lists=8,nprobe=2)");
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("16-d", result.Output);
        Assert.Contains("Ivf(lists=8,nprobe=2,seed=42)", result.Output);
    }

    [SharedDataFact]
    public async Task Augmentation_adds_flipped_copies_of_the_training_images_only()
    {
        string images = CatsAndShips("augment");
        string output = _temp.Combine("augmented-head");
        var result = await CliRunner.RunAsync("train", "--db", images, "--model", TestData.ModelPath, "--head", "dense(16,relu)",
            "--epochs", "5", "--augment", "flip", "--out", output);
        Assert.True(result.ExitCode == 0, result.Error);
        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "report.json")));
        // 20 images, one a class held out: 18 originals + their 18 mirrored copies.
        Assert.Equal(2, report.RootElement.GetProperty("validationRows").GetInt32());
        Assert.Equal(36, report.RootElement.GetProperty("trainingRows").GetInt32());

        var features = await CliRunner.RunAsync("train", "--db", cifar.Collection, "--augment", "crop", "--out", output);
        Assert.Equal(1, features.ExitCode);
        Assert.Contains("--augment needs --db to be a folder of images", features.Error);
    }

    [SharedDataFact]
    public async Task Unfreezing_conv5_with_flipped_copies_and_batch_statistics_writes_a_backbone_that_index_takes_and_refuses_what_it_cannot_train_on()
    {
        string images = CatsAndShips("stage");
        string output = _temp.Combine("stage-out");
        var result = await CliRunner.RunAsync("train", "--unfreeze", "conv5", "--db", images, "--model", TestData.ModelPath, "--head", "dense(16,relu)",
            "--lr", "1e-3", "--warmup-head-epochs", "2", "--epochs", "1", "--stage-batch", "8", "--augment", "flip", "--batch-statistics", "--out", output);
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("batch statistics", await File.ReadAllTextAsync(Path.Combine(output, "model.card.json")));
        Assert.Contains("epoch 1:", result.Output);
        Assert.Contains("GFLOP/s", result.Output);
        foreach (string file in new[] { "model.onnx", "head.json", "model.card.json", "report.json", "report.txt", "loss.png", "accuracy.png" })
            Assert.True(File.Exists(Path.Combine(output, file)), $"{file} was not written");
        using (var report = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "report.json"))))
            Assert.Equal((18, 2, 18), (report.RootElement.GetProperty("trainImages").GetInt32(), report.RootElement.GetProperty("validationImages").GetInt32(),
                report.RootElement.GetProperty("copiedImages").GetInt32()));

        string collection = _temp.Combine("stage.lookalike");
        var indexed = await CliRunner.RunAsync("index", images, "--collection", collection, "--model", Path.Combine(output, "model.onnx"),
            "--head", Path.Combine(output, "head.json"));
        Assert.True(indexed.ExitCode == 0, indexed.Error);
        string query = Directory.GetFiles(Path.Combine(images, "ship")).Order().First();
        var searched = await CliRunner.RunAsync("search", query, "--collection", collection, "-k", "1", "--json");
        Assert.True(searched.ExitCode == 0, searched.Error);
        Assert.Contains(Path.GetFileName(query), searched.Output);

        var notImages = await CliRunner.RunAsync("train", "--unfreeze", "conv5", "--db", cifar.Collection, "--model", TestData.ModelPath, "--out", output);
        Assert.Equal(1, notImages.ExitCode);
        Assert.Contains("contains no images", notImages.Error);
        var unknown = await CliRunner.RunAsync("train", "--unfreeze", "conv5", "--db", images, "--augment", "rotate", "--out", output);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("Unknown augmentation 'rotate'", unknown.Error);
        Assert.NotEqual(0, (await CliRunner.RunAsync("train", "--unfreeze", "conv4", "--db", images, "--out", output)).ExitCode);
        var headOnly = await CliRunner.RunAsync("train", "--db", cifar.Collection, "--embed-head", "--out", output);
        Assert.Equal(1, headOnly.ExitCode);
        Assert.Contains("--embed-head writes the head into a fine-tuned model.onnx", headOnly.Error);
        var normsOfNothing = await CliRunner.RunAsync("train", "--db", cifar.Collection, "--batch-statistics", "--out", output);
        Assert.Equal(1, normsOfNothing.ExitCode);
        Assert.Contains("--batch-statistics is how the backbone's last stage trains", normsOfNothing.Error);
    }

    /// <summary>The first ten cat and ship images of the indexed CIFAR-10 sample, copied into a new class/image folder.</summary>
    private string CatsAndShips(string name)
    {
        string images = _temp.Combine(name);
        foreach (string label in new[] { "cat", "ship" })
        {
            Directory.CreateDirectory(Path.Combine(images, label));
            foreach (string file in Directory.GetFiles(Path.Combine(cifar.Images, label)).Order().Take(10))
                File.Copy(file, Path.Combine(images, label, Path.GetFileName(file)));
        }
        return images;
    }

    public void Dispose() => _temp.Dispose();
}
