using System.Net;
using System.Net.Http.Json;
using Lookalike.Collections;
using Lookalike.Features;
using Lookalike.Indexing;
using Lookalike.Sessions;
using Lookalike.Tests.Common;
using Lookalike.Web.Api;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Lookalike.Web.Tests;

/// <summary>
/// The API through dependency injection with a small deterministic extractor in place of ResNet50:
/// the same app, the same session call, no network (these run without the shared model).
/// </summary>
public sealed class FakeModelApiTests : IAsyncLifetime
{
    private const int Images = 30;
    private readonly TempDirectory _temp = new();
    private readonly FakeFeatureExtractor _fake = new();
    private WebApplicationFactory<Program> _app = null!;

    private string ImagePath(int i) => _temp.Combine("images", i % 2 == 0 ? "even" : "odd", $"{i:D2}.png");

    public async Task InitializeAsync()
    {
        for (int i = 0; i < Images; i++)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(ImagePath(i))!);
            await File.WriteAllBytesAsync(ImagePath(i), HostileImages.BlackPng(10 + i, 20 + i));
        }
        var services = LookalikeServices.CreateDefault() with { Extractors = (_, _) => _fake };
        string collection = _temp.Combine("collection");
        await using (var store = await services.Collections.OpenAsync(collection, CollectionAccess.WriteOrCreate,
            new NewCollection(_fake.Metadata.ToModelReference(), _fake.Metadata.PreferredMetric, "Flat")))
        {
            await new FolderIndexer(store, _fake, new FolderIndexerOptions { LabelsFromFolders = true })
                .IndexAsync(ImageFiles.Scan(_temp.Combine("images")), progress: null, CancellationToken.None);
            await store.SaveIndexesAsync(["Ivf(lists=4,nprobe=4)"]);
        }
        _app = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseContentRoot(AppContext.BaseDirectory);
            b.UseSetting("Lookalike:Collection", collection);
            b.UseSetting("Lookalike:ThumbnailFolder", _temp.Combine("thumbnails"));
            b.ConfigureServices(s => s.AddSingleton(services));
        });
    }

    private async Task<SearchResult> SearchAsync(HttpClient client, int i, params (string, string)[] fields)
    {
        var response = await client.PostAsync("/api/search", Problems.Form(await File.ReadAllBytesAsync(ImagePath(i)), $"{i:D2}.png", fields));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<SearchResult>())!;
    }

    [Fact]
    public async Task An_indexed_image_finds_itself_first_through_the_exact_and_the_saved_index()
    {
        using var client = _app.CreateClient();
        int before = _fake.Extracted;
        var exact = await SearchAsync(client, 7, ("k", "5"));
        Assert.Equal(before + 1, _fake.Extracted);
        Assert.Equal(ImagePath(7), exact.Results[0].Path);
        Assert.Equal(("odd", 17, 27), (exact.Results[0].Label, exact.Results[0].Width, exact.Results[0].Height));
        Assert.True(exact.Results[0].Similarity > 0.9999f);
        Assert.Equal(("Flat", (long)Images, (long)Images), (exact.Stats.Index, exact.Stats.Visited, exact.Stats.CollectionSize));

        var approximate = await SearchAsync(client, 7, ("k", "5"), ("index", "approximate"));
        Assert.Equal("Ivf(lists=4,nprobe=4,seed=42)", approximate.Stats.Index);
        Assert.Equal(exact.Results.Select(r => r.Id), approximate.Results.Select(r => r.Id));
    }

    [Fact]
    public async Task The_collection_reports_the_fake_model_and_the_saved_index()
    {
        using var client = _app.CreateClient();
        var summary = (await client.GetFromJsonAsync<CollectionSummary>("/api/collection"))!;
        Assert.Equal(Images, summary.Count);
        Assert.StartsWith("fake-extractor", summary.Model);
        Assert.Equal("Ivf(lists=4,nprobe=4,seed=42)", summary.ApproximateIndex);
    }

    [Fact]
    public async Task More_like_this_and_bad_uploads_behave_as_with_the_real_model()
    {
        using var client = _app.CreateClient();
        var first = await SearchAsync(client, 3);
        var byId = await client.PostAsync($"/api/search/by-id/{first.Results[0].Id}?k=3", null);
        Assert.Equal(HttpStatusCode.OK, byId.StatusCode);
        Assert.Equal(first.Results[0].Id, (await byId.Content.ReadFromJsonAsync<SearchResult>())!.Results[0].Id);
        var notImage = await client.PostAsync("/api/search", Problems.Form("plain text, not an image"u8.ToArray(), "x.png"));
        await Problems.AssertProblemAsync(notImage, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task Filters_and_cut_offs_apply_to_both_searches_and_bad_ones_are_problems()
    {
        using var client = _app.CreateClient();
        var all = await SearchAsync(client, 7, ("k", "30"));
        var even = await SearchAsync(client, 7, ("k", "5"), ("label", "even"));
        Assert.Equal(all.Results.Where(r => r.Label == "even").Take(5).Select(r => r.Id), even.Results.Select(r => r.Id));
        Assert.InRange(even.Stats.FilteredOut, 1, 15);

        string evenFolder = Path.GetDirectoryName(ImagePath(0))!;
        var byId = await client.PostAsync($"/api/search/by-id/{all.Results[0].Id}?k=30&label=even&label=odd&pathPrefix={Uri.EscapeDataString(evenFolder)}", null);
        Assert.Equal(HttpStatusCode.OK, byId.StatusCode);
        var inFolder = (await byId.Content.ReadFromJsonAsync<SearchResult>())!;
        Assert.Equal(15, inFolder.Results.Count);
        Assert.All(inFolder.Results, r => Assert.StartsWith(evenFolder, r.Path, StringComparison.Ordinal));

        float cut = all.Results[2].Similarity;
        var close = await SearchAsync(client, 7, ("k", "30"), ("minSimilarity", cut.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(all.Results.TakeWhile(r => r.Similarity >= cut).Select(r => r.Id), close.Results.Select(r => r.Id));
        Assert.Equal(30 - close.Results.Count, close.Stats.BelowCutOff);

        await Problems.AssertProblemAsync(await client.PostAsync($"/api/search/by-id/{all.Results[0].Id}?addedAfter=soon", null), HttpStatusCode.BadRequest);
        await Problems.AssertProblemAsync(await client.PostAsync($"/api/search/by-id/{all.Results[0].Id}?minSimilarity=high", null), HttpStatusCode.BadRequest);
        await Problems.AssertProblemAsync(await client.PostAsync($"/api/search/by-id/{all.Results[0].Id}?minSimilarity=3", null), HttpStatusCode.BadRequest);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        _temp.Dispose();
    }
}
