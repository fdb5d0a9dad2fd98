using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Lookalike.Collections;
using Lookalike.Tests.Common;
using Lookalike.Web.Api;
using Microsoft.AspNetCore.Hosting;

namespace Lookalike.Web.Tests;

/// <summary>A server that opened its collection read-only serves what another process commits afterwards.</summary>
[Collection(WebCollection.Name)]
public sealed class FollowCommitsTests(SearchAppFactory app) : IDisposable
{
    private readonly TempDirectory _temp = new();

    [SharedDataFact]
    public async Task Images_committed_by_another_writer_are_searchable_within_two_seconds()
    {
        string copy = _temp.Combine("collection");
        Directory.CreateDirectory(copy);
        foreach (string file in Directory.GetFiles(app.Collection)) File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        using var server = app.WithWebHostBuilder(b => b.UseSetting("Lookalike:Collection", copy));
        using var client = server.CreateClient();
        long before = (await client.GetFromJsonAsync<CollectionSummary>("/api/collection"))!.Count;
        // Load the exact index, so the new row must reach a loaded index rather than a fresh one.
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/search/by-id/0?k=3", null)).StatusCode);

        var model = EmbeddedCollection.ReadModel(copy)!;
        long id;
        await using (var writer = EmbeddedCollection.OpenOrCreate(copy, model, Indexes.DistanceMetric.Cosine, "Flat"))
        {
            var features = (await writer.GetFeaturesAsync(0))!;
            features[0] += 0.5f;
            (id, _) = await writer.AddAsync(new NewImage("/nowhere/new.jpg", new string('e', 64), "new", 10, 32, 32, features));
            await writer.AddAsync(new NewImage("/nowhere/other.jpg", new string('d', 64), "new", 10, 32, 32, features.Reverse().ToArray()));
            await writer.DeleteAsync([1]);
            await writer.CommitAsync();
        }
        var clock = Stopwatch.StartNew();
        long count = before;
        while (clock.Elapsed < TimeSpan.FromSeconds(2) && count != before + 1)
        {
            await Task.Delay(50);
            count = (await client.GetFromJsonAsync<CollectionSummary>("/api/collection"))!.Count;
        }
        Assert.True(count == before + 1, $"two added and one deleted: {before} → {count} after {clock.Elapsed.TotalMilliseconds:F0} ms");
        var found = await client.PostAsync($"/api/search/by-id/{id}?k=3", null);
        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        var results = (await found.Content.ReadFromJsonAsync<SearchResult>())!.Results;
        Assert.Equal(id, results[0].Id);
        Assert.DoesNotContain(results, r => r.Id == 1);
    }

    public void Dispose() => _temp.Dispose();
}
