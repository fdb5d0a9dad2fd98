using Lookalike.Collections;
using Lookalike.Indexes;
using Lookalike.Tests.Common;

namespace Lookalike.Cli.Tests;

public sealed class BadInputTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string CopyCifar(string folder, int perClass)
    {
        foreach (var (path, label) in TestData.CifarSample(TestData.Cifar10Test, perClass).Take(6))
        {
            Directory.CreateDirectory(Path.Combine(folder, label));
            File.Copy(path, Path.Combine(folder, label, Path.GetFileName(path)));
        }
        return folder;
    }

    [SharedDataFact]
    public async Task Copies_merged_into_one_record_are_counted_and_named_with_their_labels()
    {
        string images = CopyCifar(_temp.Combine("images"), perClass: 1);
        var classes = Directory.GetDirectories(images).Order().ToArray();
        string original = Directory.GetFiles(classes[0]).Single();
        string sameClass = Path.Combine(classes[0], "again.jpg"), otherClass = Path.Combine(classes[1], "mislabelled.jpg");
        File.Copy(original, sameClass);
        File.Copy(original, otherClass);

        var result = await CliRunner.RunAsync("index", images, "--collection", _temp.Combine("c"), "--model", TestData.ModelPath,
            "--labels-from-folders", "--verbose");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Indexed 6 new image(s) of 8", result.Output);
        Assert.Contains("2 file(s) had the content of another and were merged into it (1 under another label).", result.Output);
        // The first of the copies in the folder's order holds the content; the others name it.
        string a = Path.GetFileName(classes[0]), b = Path.GetFileName(classes[1]);
        var merged = result.Error.Split('\n').Where(line => line.StartsWith("merged ", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(2, merged.Length);
        Assert.Contains($"merged {otherClass} ({b}) into ", merged[0] + merged[1]);
        Assert.All(merged, line => Assert.EndsWith($" ({a}): same content", line));

        var again = await CliRunner.RunAsync("index", images, "--collection", _temp.Combine("c"), "--model", TestData.ModelPath, "--labels-from-folders");
        Assert.Contains("8 unchanged, 0 duplicate(s)", again.Output);
        Assert.DoesNotContain("merged into it", again.Output);
    }

    [SharedDataFact]
    public async Task Broken_files_are_reported_and_skipped_and_the_rest_is_indexed()
    {
        string images = CopyCifar(_temp.Combine("images"), perClass: 1);
        byte[] jpeg = await File.ReadAllBytesAsync(TestData.Photo("rocket.jpg"));
        await File.WriteAllBytesAsync(Path.Combine(images, "truncated.jpg"), jpeg[..(jpeg.Length / 3)]);
        await File.WriteAllBytesAsync(Path.Combine(images, "empty.jpg"), []);
        await File.WriteAllTextAsync(Path.Combine(images, "notes.jpg"), "this is text, not a picture");
        await File.WriteAllTextAsync(Path.Combine(images, "README.txt"), "not an image extension");
        File.Copy(Directory.GetFiles(images, "*.jpg", SearchOption.AllDirectories).Order().First(), Path.Combine(images, "copy.jpg"));

        var result = await CliRunner.RunAsync("index", images, "--collection", _temp.Combine("c"), "--model", TestData.ModelPath);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"skipped {Path.Combine(images, "truncated.jpg")}: truncated", result.Error);
        Assert.Contains($"skipped {Path.Combine(images, "empty.jpg")}: empty file", result.Error);
        Assert.Contains($"skipped {Path.Combine(images, "notes.jpg")}: not a supported image format", result.Error);
        Assert.Contains("Indexed 6 new image(s) of 10", result.Output);
        Assert.Contains("1 duplicate(s)", result.Output);
        Assert.Contains("3 skipped as unreadable, 1 non-image file(s) ignored", result.Output);
        Assert.True(File.Exists(Path.Combine(images, "truncated.jpg")), "bad files are never deleted");
        await using var collection = EmbeddedCollection.OpenReadOnly(_temp.Combine("c"));
        Assert.Equal(6, collection.Info.Count);
    }

    [SharedDataFact]
    public async Task An_edited_file_replaces_its_old_content()
    {
        string images = CopyCifar(_temp.Combine("images"), perClass: 1);
        string collection = _temp.Combine("c");
        await CliRunner.RunAsync("index", images, "--collection", collection, "--model", TestData.ModelPath);
        string edited = Directory.GetFiles(images, "*.jpg", SearchOption.AllDirectories).Order().First();
        File.Copy(TestData.Photo("rocket.jpg"), edited, overwrite: true);

        var result = await CliRunner.RunAsync("index", images, "--collection", collection);

        Assert.Contains("Indexed 1 new image(s) of 6", result.Output);
        Assert.Contains("5 unchanged", result.Output);
        Assert.Contains("1 replaced", result.Output);
        var search = await CliRunner.RunAsync("search", TestData.Photo("rocket.jpg"), "--collection", collection, "-k", "1", "--json");
        Assert.Contains(edited, search.Output);
    }

    [Fact]
    public async Task A_missing_folder_is_a_one_line_error()
    {
        var result = await CliRunner.RunAsync("index", _temp.Combine("nope"), "--collection", _temp.Combine("c"));
        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"error: Folder '{_temp.Combine("nope")}' does not exist.", result.Error.Trim());
        Assert.False(Directory.Exists(_temp.Combine("c")), "nothing is created for a failed command");
    }

    [Fact]
    public async Task An_empty_folder_is_an_error()
    {
        Directory.CreateDirectory(_temp.Combine("empty"));
        await File.WriteAllTextAsync(_temp.Combine("empty", "readme.md"), "no images here");
        var result = await CliRunner.RunAsync("index", _temp.Combine("empty"), "--collection", _temp.Combine("c"));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("contains no images", result.Error);
    }

    [SharedDataFact]
    public async Task An_unreadable_query_image_is_an_error()
    {
        string images = CopyCifar(_temp.Combine("images"), perClass: 1);
        await CliRunner.RunAsync("index", images, "--collection", _temp.Combine("c"), "--model", TestData.ModelPath);
        await File.WriteAllTextAsync(_temp.Combine("query.png"), "not really a png");

        var bad = await CliRunner.RunAsync("search", _temp.Combine("query.png"), "--collection", _temp.Combine("c"));
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("query.png: not a supported image format", bad.Error);

        var device = await CliRunner.RunAsync("search", "/dev/zero", "--collection", _temp.Combine("c"));
        Assert.Equal(1, device.ExitCode);
        Assert.Contains("a character device, not a regular file", device.Error);

        var missing = await CliRunner.RunAsync("search", _temp.Combine("absent.jpg"), "--collection", _temp.Combine("c"));
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("does not exist", missing.Error);
    }

    [SharedDataFact]
    public async Task A_collection_built_with_another_model_is_refused()
    {
        var otherModel = new ModelReference("other-net", new string('0', 64), "/models/other.onnx", 2048, "224x224 RGB");
        await using (EmbeddedCollection.OpenOrCreate(_temp.Combine("c"), otherModel, DistanceMetric.Cosine, "Flat"))
        {
        }
        string images = CopyCifar(_temp.Combine("images"), perClass: 1);

        var index = await CliRunner.RunAsync("index", images, "--collection", _temp.Combine("c"), "--model", TestData.ModelPath);
        Assert.Equal(1, index.ExitCode);
        Assert.Contains("was built with model other-net", index.Error);

        var search = await CliRunner.RunAsync("search", TestData.Photo("coffee.png"), "--collection", _temp.Combine("c"), "--model", TestData.ModelPath);
        Assert.Equal(1, search.ExitCode);
        Assert.Contains("was built with model other-net", search.Error);
    }

    [SharedDataFact]
    public async Task Eval_states_the_identical_files_of_its_folders_and_which_carry_another_label()
    {
        // Two each of airplane, automobile and bird; one bird copied under bird and one under "boat" (walked after bird).
        string db = CopyCifar(_temp.Combine("db"), perClass: 2);
        string bird = Directory.GetFiles(Path.Combine(db, "bird")).Order(StringComparer.Ordinal).First();
        File.Copy(bird, Path.Combine(db, "bird", "again.jpg"));
        Directory.CreateDirectory(Path.Combine(db, "boat"));
        File.Copy(bird, Path.Combine(db, "boat", "copied-bird.jpg"));
        string queries = CopyCifar(_temp.Combine("queries"), perClass: 1);
        var eval = await CliRunner.RunAsync("eval", "--db", db, "--queries", queries, "--model", TestData.ModelPath, "--index", "Flat");
        Assert.True(eval.ExitCode == 0, eval.Error);
        Assert.Contains("The database holds 2 file(s) byte-identical to another of its files (1 under another label); each is evaluated as its own image.", eval.Output);
        Assert.Contains($"database: {Path.Combine(db, "boat", "copied-bird.jpg")} (boat) has the content of {bird} (bird)", eval.Error);
        Assert.DoesNotContain("again.jpg", eval.Error);
    }

    [SharedDataFact]
    public async Task Eval_refuses_to_compare_features_of_two_models()
    {
        var otherModel = new ModelReference("other-net", new string('0', 64), "/models/other.onnx", 2048, "224x224 RGB");
        await using (var collection = EmbeddedCollection.OpenOrCreate(_temp.Combine("db"), otherModel, DistanceMetric.Cosine, "Flat"))
        {
            await collection.AddAsync(new NewImage("/a.jpg", new string('1', 64), "airplane", 1, 1, 1, new float[2048]));
            await collection.CommitAsync();
        }
        string queries = CopyCifar(_temp.Combine("queries"), perClass: 1);
        var eval = await CliRunner.RunAsync("eval", "--db", _temp.Combine("db"), "--queries", queries, "--model", TestData.ModelPath);
        Assert.Equal(1, eval.ExitCode);
        Assert.Contains("hold features of different models", eval.Error);
        Assert.Contains("other-net", eval.Error);
    }

    [Theory]
    [InlineData("search", "x.jpg", "-k", "0")]
    [InlineData("search", "x.jpg", "--metric", "manhattan")]
    [InlineData("index", "folder", "--batch-size", "0")]
    [InlineData("frobnicate")]
    public async Task Bad_options_are_usage_errors(params string[] args)
    {
        var result = await CliRunner.RunAsync(args);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: ", result.Error);
    }

    [Fact]
    public async Task Info_on_a_folder_without_a_collection_explains_what_to_do()
    {
        var result = await CliRunner.RunAsync("info", "--collection", _temp.Path);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("run 'lookalike index", result.Error);
    }

    public void Dispose() => _temp.Dispose();
}
