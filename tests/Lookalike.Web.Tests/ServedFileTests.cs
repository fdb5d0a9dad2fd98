using System.Net;
using System.Net.Http.Json;
using Lookalike.Tests.Common;
using Lookalike.Web.Api;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Lookalike.Web.Tests;

/// <summary>Only what was indexed is served: a file replaced, resized, swapped for a link or deleted is not.</summary>
[Collection(WebCollection.Name)]
public sealed class ServedFileTests(SearchAppFactory app) : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();
    private WebApplicationFactory<Program>? _served;

    public async Task InitializeAsync()
    {
        if (!TestData.SharedDataPresent && !TestData.InCi) return;
        await SampleCollection.BuildAsync(_temp.Combine("images"), _temp.Combine("collection"), perClass: 0);
        _served = app.WithWebHostBuilder(b => b.UseSetting("Lookalike:Collection", _temp.Combine("collection")));
    }

    [SharedDataFact]
    public async Task A_file_swapped_for_a_link_to_another_file_is_gone_not_served()
    {
        using var client = _served!.CreateClient();
        var (id, path) = await IdOfAsync(client, "chelsea.png");
        File.Delete(path);
        File.CreateSymbolicLink(path, "/etc/passwd");
        var response = await client.GetAsync($"/api/images/{id}");
        string detail = await Problems.AssertProblemAsync(response, HttpStatusCode.Gone);
        Assert.DoesNotContain("root:", detail);
    }

    [SharedDataFact]
    public async Task Same_size_other_content_is_gone_and_same_content_rewritten_is_served()
    {
        using var client = _served!.CreateClient();
        var (coffee, coffeePath) = await IdOfAsync(client, "coffee.png");
        byte[] original = await File.ReadAllBytesAsync(coffeePath);
        byte[] other = [.. original];
        other[^20] ^= 0xFF;
        await File.WriteAllBytesAsync(coffeePath, other);
        await Problems.AssertProblemAsync(await client.GetAsync($"/api/images/{coffee}"), HttpStatusCode.Gone);

        var (rocket, rocketPath) = await IdOfAsync(client, "rocket.jpg");
        byte[] bytes = await File.ReadAllBytesAsync(rocketPath);
        File.SetLastWriteTimeUtc(rocketPath, DateTime.UtcNow.AddHours(1)); // touched, same bytes
        var served = await client.GetAsync($"/api/images/{rocket}");
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal("image/jpeg", served.Content.Headers.ContentType?.MediaType);
        Assert.Equal(bytes, await served.Content.ReadAsByteArrayAsync());

        File.Delete(rocketPath);
        await Problems.AssertProblemAsync(await client.GetAsync($"/api/images/{rocket}"), HttpStatusCode.NotFound);
    }

    private static async Task<(long Id, string Path)> IdOfAsync(HttpClient client, string photo)
    {
        var response = await client.PostAsync("/api/search", Problems.Form(File.ReadAllBytes(TestData.Photo(photo)), photo, ("k", "1")));
        var hit = Assert.Single((await response.Content.ReadFromJsonAsync<SearchResult>())!.Results);
        Assert.Equal(photo, hit.FileName);
        return (hit.Id, hit.Path);
    }

    public Task DisposeAsync()
    {
        _served?.Dispose();
        _temp.Dispose();
        return Task.CompletedTask;
    }
}
