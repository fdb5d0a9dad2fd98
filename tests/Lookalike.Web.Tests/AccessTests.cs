using System.Net;
using System.Net.Http.Json;
using Lookalike.Access;
using Lookalike.Tests.Common;
using Lookalike.Web.Api;
using Lookalike.Web.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Lookalike.Web.Tests;

/// <summary>API keys: no key, a wrong one, a revoked one, a read key and a write key, on read and write routes.</summary>
[Collection(WebCollection.Name)]
public sealed class AccessTests(SearchAppFactory app)
{
    private WebApplicationFactory<Program> Server(bool? publicRead, bool uploads = false, string? collection = null) => app.WithWebHostBuilder(b =>
    {
        if (publicRead is { } open) b.UseSetting("Lookalike:PublicRead", open ? "true" : "false");
        if (uploads) b.UseSetting("Lookalike:AllowUploadsToCollection", "true");
        if (collection is not null) b.UseSetting("Lookalike:Collection", collection);
    });

    private static HttpRequestMessage Get(string url, string? header = null, string? value = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (header is not null) request.Headers.TryAddWithoutValidation(header, value);
        return request;
    }

    [SharedDataFact]
    public async Task A_server_that_asks_for_keys_refuses_none_wrong_and_revoked_keys_and_takes_read_keys_both_ways()
    {
        using var server = Server(publicRead: false);
        using var client = server.CreateClient();
        var none = await client.SendAsync(Get("/api/collection"));
        Assert.Contains("API key required", await Problems.AssertProblemAsync(none, HttpStatusCode.Unauthorized) + await none.Content.ReadAsStringAsync());
        Assert.StartsWith("Bearer", none.Headers.WwwAuthenticate.ToString());

        var store = ApiKeyStore.ForCollection(app.Collection, Onnx.Models.ModelLocator.DataDirectory);
        var (key, token) = store.Create($"reader-{Guid.NewGuid():N}", ApiKeyScope.Read);
        string good = token.ToString();
        // Same id, another secret; a made-up key; not a key at all.
        string[] wrong = [good[..^4] + (good[^4..] == "AAAA" ? "BBBB" : "AAAA"), ApiKeyToken.Create().ToString(), "secret"];
        foreach (string bad in wrong)
        {
            var refused = await client.SendAsync(Get("/api/collection", "X-Api-Key", bad));
            Assert.Contains("not valid", await Problems.AssertProblemAsync(refused, HttpStatusCode.Unauthorized));
        }
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Get("/api/collection", "X-Api-Key", good))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Get("/api/collection", "Authorization", $"Bearer {good}"))).StatusCode);
        var search = new HttpRequestMessage(HttpMethod.Post, "/api/search/by-id/1?k=3");
        search.Headers.Add("X-Api-Key", good);
        Assert.Equal(3, (await (await client.SendAsync(search)).Content.ReadFromJsonAsync<SearchResult>())!.Results.Count);

        // The page and the contract stay open, so that the page can ask for a key and tools can read the contract.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/openapi/v1.json")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);

        // Revoking from the command line's store takes effect on the running server.
        store.Revoke(key.Id);
        await Problems.AssertProblemAsync(await client.SendAsync(Get("/api/collection", "X-Api-Key", good)), HttpStatusCode.Unauthorized);
    }

    [SharedDataFact]
    public async Task Writes_need_a_write_key_even_where_anyone_may_read()
    {
        string copy = app.Temporary($"access-{Guid.NewGuid():N}");
        ImageRouteTests.CopyFolder(app.Collection, copy);
        using var server = Server(publicRead: null, uploads: true, collection: copy);
        using var client = server.CreateClient();
        // An in-memory server listens nowhere: as on loopback, reading is open.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/collection")).StatusCode);
        await Problems.AssertProblemAsync(await client.DeleteAsync("/api/images/1"), HttpStatusCode.Unauthorized);

        var asReader = new HttpRequestMessage(HttpMethod.Delete, "/api/images/1");
        asReader.Headers.Add("X-Api-Key", TestKeys.Create(copy, ApiKeyScope.Read));
        Assert.Contains("scope write", await Problems.AssertProblemAsync(await client.SendAsync(asReader), HttpStatusCode.Forbidden));
        Assert.Equal(app.Count, (await client.GetFromJsonAsync<CollectionSummary>("/api/collection"))!.Count);

        var asWriter = new HttpRequestMessage(HttpMethod.Delete, "/api/images/1");
        asWriter.Headers.Add("Authorization", $"Bearer {TestKeys.Create(copy, ApiKeyScope.Write)}");
        Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(asWriter)).StatusCode);
        Assert.Equal(app.Count - 1, (await client.GetFromJsonAsync<CollectionSummary>("/api/collection"))!.Count);
    }

    [Theory]
    [InlineData(true, "http://127.0.0.1:5000", "http://localhost:5001", "https://[::1]:5002", "http://127.1.2.3:80")]
    [InlineData(false, "http://127.0.0.1:5000", "http://0.0.0.0:5000")]
    [InlineData(false, "http://*:5000")]
    [InlineData(false, "http://+:5000")]
    [InlineData(false, "http://[::]:5000")]
    [InlineData(false, "http://192.168.1.20:5000")]
    [InlineData(false, "http://photos.example.org")]
    [InlineData(true)]
    public void Reading_is_open_only_when_every_address_is_loopback(bool loopback, params string[] addresses) =>
        Assert.Equal(loopback, ServerAccess.AllLoopback(addresses));
}
