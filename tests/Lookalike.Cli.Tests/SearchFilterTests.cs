using System.Text.Json;
using Lookalike.Tests.Common;

namespace Lookalike.Cli.Tests;

/// <summary><c>search</c> with filters and cut-offs on 500 indexed CIFAR-10 images, checked against the unfiltered ranking.</summary>
public sealed class SearchFilterTests(IndexedCifarFixture cifar) : IClassFixture<IndexedCifarFixture>
{
    private static readonly string Query = TestData.Photo("chelsea.png");

    private async Task<List<(string Path, string Label, float Similarity)>> SearchAsync(params string[] extra)
    {
        var result = await CliRunner.RunAsync(["search", Query, "--collection", cifar.Collection, "--index", "Flat", "--json", .. extra]);
        Assert.True(result.ExitCode == 0, result.Error);
        using var json = JsonDocument.Parse(result.Output);
        return [.. json.RootElement.GetProperty("results").EnumerateArray()
            .Select(r => (r.GetProperty("path").GetString()!, r.GetProperty("label").GetString()!, r.GetProperty("similarity").GetSingle()))];
    }

    [SharedDataFact]
    public async Task Label_and_path_filters_return_the_allowed_images_in_the_unfiltered_order()
    {
        var everything = await SearchAsync("-k", "500");
        var catsAndDogs = await SearchAsync("-k", "20", "--label", "cat", "--label", "dog");
        Assert.Equal(everything.Where(r => r.Label is "cat" or "dog").Take(20), catsAndDogs);

        var ships = await SearchAsync("-k", "100", "--path-prefix", Path.Combine(cifar.Images, "ship"));
        Assert.Equal(50, ships.Count);
        Assert.Equal(everything.Where(r => r.Label == "ship"), ships);
    }

    [SharedDataFact]
    public async Task Crop_searches_a_region_of_the_query_and_refuses_one_outside_it()
    {
        var whole = await SearchAsync("-k", "10");
        Assert.Equal(whole, await SearchAsync("-k", "10", "--crop", "0,0,451,300"));
        var corner = await SearchAsync("-k", "10", "--crop", "0,0,100,80");
        Assert.NotEqual(whole.Select(r => r.Path), corner.Select(r => r.Path));

        var outside = await CliRunner.RunAsync("search", Query, "--collection", cifar.Collection, "--crop", "400,0,100,100");
        Assert.Equal(LookalikeCli.UserError, outside.ExitCode);
        Assert.Contains("does not fit inside the image (451×300 pixels)", outside.Error);
        var malformed = await CliRunner.RunAsync("search", Query, "--collection", cifar.Collection, "--crop", "10,10");
        Assert.Equal(LookalikeCli.UserError, malformed.ExitCode);
        Assert.Contains("--crop must be x,y,width,height", malformed.Error);
    }

    [SharedDataFact]
    public async Task Cut_offs_and_dates_drop_results_and_say_so()
    {
        var everything = await SearchAsync("-k", "50");
        float cut = everything[9].Similarity;
        var similar = await SearchAsync("-k", "50", "--min-similarity", cut.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(everything.Take(10), similar);

        var table = await CliRunner.RunAsync("search", Query, "--collection", cifar.Collection, "--index", "Flat", "-k", "50",
            "--min-similarity", cut.ToString("R", System.Globalization.CultureInfo.InvariantCulture), "--added-before", "2000-01-01");
        Assert.Equal(0, table.ExitCode);
        Assert.Contains("500 candidates filtered out", table.Output);

        var future = await SearchAsync("--added-after", DateTime.UtcNow.AddDays(1).ToString("yyyy-MM-dd"));
        Assert.Empty(future);

        var bad = await CliRunner.RunAsync("search", Query, "--collection", cifar.Collection, "--added-after", "yesterday");
        Assert.Equal(LookalikeCli.UserError, bad.ExitCode);
        Assert.Contains("--added-after must be an ISO 8601 date", bad.Error);
    }
}
