using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Lookalike.Tests.Common;
using Lookalike.Web.Api;

namespace Lookalike.Web.Tests;

[Collection(WebCollection.Name)]
public sealed class SearchApiTests(SearchAppFactory app)
{
    private static readonly byte[] Chelsea = File.Exists(TestData.Photo("chelsea.png")) ? File.ReadAllBytes(TestData.Photo("chelsea.png")) : [];

    [SharedDataFact]
    public async Task A_photo_finds_ten_results_with_itself_first()
    {
        using var client = app.CreateClient();
        var response = await client.PostAsync("/api/search", Problems.Form(Chelsea, "chelsea.png"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = (await response.Content.ReadFromJsonAsync<SearchResult>())!;

        Assert.Equal(10, result.Results.Count);
        Assert.Equal(Enumerable.Range(1, 10), result.Results.Select(r => r.Rank));
        Assert.Equal("chelsea.png", result.Results[0].FileName);
        Assert.Equal("photo", result.Results[0].Label);
        Assert.True(result.Results[0].Similarity > 0.999f, $"self-similarity {result.Results[0].Similarity}");
        Assert.True(result.Results.Zip(result.Results.Skip(1)).All(p => p.First.Distance <= p.Second.Distance), "distances must ascend");
        Assert.Equal("Flat", result.Stats.Index);
        Assert.Equal(app.Count, result.Stats.Visited);
        Assert.Equal(app.Count, result.Stats.CollectionSize);
        // Cats and dogs are what ResNet50 puts nearest to a tabby cat in CIFAR-10.
        int animals = result.Results.Skip(1).Count(r => r.Label is "cat" or "dog");
        Assert.True(animals >= 5, $"only {animals} of the 9 neighbours are cats or dogs");
    }

    [SharedDataFact]
    public async Task A_region_of_the_upload_is_searched_and_a_bad_region_is_a_problem()
    {
        using var client = app.CreateClient();
        var whole = (await (await client.PostAsync("/api/search", Problems.Form(Chelsea, "chelsea.png", ("k", "5")))).Content.ReadFromJsonAsync<SearchResult>())!;
        var all = (await (await client.PostAsync("/api/search", Problems.Form(Chelsea, "chelsea.png", ("k", "5"), ("crop", "0,0,451,300"))))
            .Content.ReadFromJsonAsync<SearchResult>())!;
        Assert.Equal(whole.Results.Select(r => r.Id), all.Results.Select(r => r.Id));
        var corner = (await (await client.PostAsync("/api/search", Problems.Form(Chelsea, "chelsea.png", ("k", "5"), ("crop", "0,0,120,80"))))
            .Content.ReadFromJsonAsync<SearchResult>())!;
        Assert.True(corner.Results[0].Similarity < 0.95f, "a corner of the photo is not the photo");

        await Problems.AssertProblemAsync(await client.PostAsync("/api/search", Problems.Form(Chelsea, "chelsea.png", ("crop", "400,0,100,100"))),
            HttpStatusCode.BadRequest);
        await Problems.AssertProblemAsync(await client.PostAsync("/api/search", Problems.Form(Chelsea, "chelsea.png", ("crop", "left half"))),
            HttpStatusCode.BadRequest);
    }

    [SharedDataFact]
    public async Task The_model_sees_an_Egyptian_cat_in_the_photo_of_a_cat()
    {
        using var client = app.CreateClient();
        var response = await client.PostAsync("/api/search/labels", Problems.Form(Chelsea, "chelsea.png"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = (await response.Content.ReadFromJsonAsync<SeenLabels>())!;
        Assert.Equal(5, seen.Labels.Count);
        Assert.Equal("Egyptian_cat", seen.Labels[0].Label);
        Assert.True(seen.Labels.Zip(seen.Labels.Skip(1)).All(p => p.First.Probability >= p.Second.Probability));
        await Problems.AssertProblemAsync(await client.PostAsync("/api/search/labels", Problems.Form("not an image"u8.ToArray(), "x.png")),
            HttpStatusCode.UnsupportedMediaType);
    }

    [SharedDataFact]
    public async Task K_and_the_approximate_index_are_honoured()
    {
        using var client = app.CreateClient();
        var exact = await SearchAsync(client, ("k", "4"), ("index", "exact"));
        Assert.Equal(4, exact.Results.Count);
        Assert.Equal("Flat", exact.Stats.Index);

        // The default approximate index, HNSW: k results, found by visiting part of the graph.
        var approximate = await SearchAsync(client, ("k", "4"), ("index", "approximate"), ("metric", "cosine"));
        Assert.StartsWith("Hnsw(", approximate.Stats.Index);
        Assert.Equal("cosine", approximate.Stats.Metric);
        Assert.Equal(4, approximate.Results.Count);
        Assert.Equal("chelsea.png", approximate.Results[0].FileName);
        Assert.InRange(approximate.Stats.Visited, 1, app.Count);
    }

    private static async Task<SearchResult> SearchAsync(HttpClient client, params (string, string)[] fields)
    {
        var response = await client.PostAsync("/api/search", Problems.Form(Chelsea, "chelsea.png", fields));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<SearchResult>())!;
    }

    [SharedDataFact]
    public async Task More_like_this_searches_with_a_stored_image()
    {
        using var client = app.CreateClient();
        var first = (await (await client.PostAsync("/api/search", Problems.Form(Chelsea, "chelsea.png")))
            .Content.ReadFromJsonAsync<SearchResult>())!;
        long neighbour = first.Results[3].Id;

        var response = await client.PostAsync($"/api/search/by-id/{neighbour}?k=5", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var again = (await response.Content.ReadFromJsonAsync<SearchResult>())!;
        Assert.Equal(5, again.Results.Count);
        Assert.Equal(neighbour, again.Results[0].Id);
        Assert.True(again.Results[0].Distance < 1e-5f);

        await Problems.AssertProblemAsync(await client.PostAsync("/api/search/by-id/987654321", null), HttpStatusCode.NotFound);
    }

    [SharedDataFact]
    public async Task The_collection_health_and_openapi_are_described()
    {
        using var client = app.CreateClient();
        var collection = await client.GetFromJsonAsync<CollectionSummary>("/api/collection");
        Assert.Equal(app.Count, collection!.Count);
        Assert.Equal(Path.GetFileNameWithoutExtension(TestData.ModelPath), collection.Model);
        Assert.Equal(2048, collection.Dimension);
        Assert.False(collection.UploadsAllowed);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
        var openApi = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = openApi.GetProperty("paths");
        foreach (string path in new[] { "/api/search", "/api/search/by-id/{id}", "/api/images/{id}", "/api/images/{id}/thumbnail", "/api/collection", "/api/images" })
            Assert.True(paths.TryGetProperty(path, out _), $"OpenAPI lacks {path}");

        string page = await client.GetStringAsync("/");
        Assert.Contains("id=\"drop-zone\"", page);
    }

    [SharedDataFact]
    public async Task Searching_never_writes_into_the_collection()
    {
        string[] before = Snapshot(app.Collection);
        using var client = app.CreateClient();
        await client.PostAsync("/api/search", Problems.Form(Chelsea, "chelsea.png"));
        await client.GetAsync("/api/images/0/thumbnail");
        Assert.Equal(before, Snapshot(app.Collection));
    }

    private static string[] Snapshot(string folder) =>
        [.. Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Order()
            .Select(f => $"{f} {new FileInfo(f).Length} {File.GetLastWriteTimeUtc(f).Ticks}")];
}
