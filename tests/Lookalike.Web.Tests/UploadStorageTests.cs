using System.Net;
using System.Net.Http.Json;
using Lookalike.Access;
using Lookalike.Collections;
using Lookalike.Tests.Common;
using Lookalike.Web.Api;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Lookalike.Web.Tests;

/// <summary>Uploads are durable when confirmed: a full disk is a 507, nothing half-stored stays behind.</summary>
[Collection(WebCollection.Name)]
public sealed class UploadStorageTests(SearchAppFactory app) : IDisposable
{
    private readonly TempDirectory _temp = new();

    private WebApplicationFactory<Program> Writable(string collection) => app.WithWebHostBuilder(b =>
    {
        b.UseSetting("Lookalike:Collection", collection);
        b.UseSetting("Lookalike:Model", TestData.ModelPath);
        b.UseSetting("Lookalike:AllowUploadsToCollection", "true");
    });

    [SharedDataFact]
    public async Task On_a_full_disk_an_upload_gets_507_every_time_and_leaves_nothing_behind()
    {
        string collection = _temp.Combine("full");
        Directory.CreateDirectory(collection);
        // Every write of vectors fails with "No space left on device", as on a full disk.
        File.CreateSymbolicLink(Path.Combine(collection, "vectors.f32"), "/dev/full");
        byte[] photo = File.ReadAllBytes(TestData.Photo("coffee.png"));
        using (var server = Writable(collection))
        {
            using var client = server.CreateClient().WithKey(collection, ApiKeyScope.Write);
            for (int i = 0; i < 2; i++)
            {
                string detail = await Problems.AssertProblemAsync(
                    await client.PostAsync("/api/images", Problems.Form(photo, "coffee.png")), HttpStatusCode.InsufficientStorage);
                Assert.Contains("disk is full", detail);
            }
            Assert.Equal(0, (await client.GetFromJsonAsync<CollectionSummary>("/api/collection"))!.Count);
            Assert.Empty(Directory.Exists(Path.Combine(collection, "uploads")) ? Directory.GetFiles(Path.Combine(collection, "uploads")) : []);
        }
        await using var reopened = EmbeddedCollection.OpenReadOnly(collection);
        Assert.Equal(0, reopened.Count);
    }

    [SharedDataFact]
    public async Task Delete_removes_an_image_from_searches_and_its_stored_upload_and_is_refused_when_changes_are_off()
    {
        string collection = _temp.Combine("deletes");
        byte[] coffee = File.ReadAllBytes(TestData.Photo("coffee.png"));
        byte[] rocket = File.ReadAllBytes(TestData.Photo("rocket.jpg"));
        using (var server = Writable(collection))
        {
            using var client = server.CreateClient().WithKey(collection, ApiKeyScope.Write);
            var first = (await (await client.PostAsync("/api/images", Problems.Form(coffee, "coffee.png"))).Content.ReadFromJsonAsync<AddedImage>())!;
            var second = (await (await client.PostAsync("/api/images", Problems.Form(rocket, "rocket.jpg"))).Content.ReadFromJsonAsync<AddedImage>())!;
            Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/images/{first.Id}")).StatusCode);
            Assert.False(File.Exists(first.Path), "the stored upload should go with its image");
            await Problems.AssertProblemAsync(await client.DeleteAsync($"/api/images/{first.Id}"), HttpStatusCode.NotFound);
            await Problems.AssertProblemAsync(await client.GetAsync($"/api/images/{first.Id}"), HttpStatusCode.NotFound);
            var found = (await (await client.PostAsync("/api/search", Problems.Form(coffee, "coffee.png", ("k", "5")))).Content.ReadFromJsonAsync<SearchResult>())!;
            Assert.Equal([second.Id], found.Results.Select(r => r.Id));
        }
        using var readOnly = app.WithWebHostBuilder(b =>
        {
            b.UseSetting("Lookalike:Collection", collection);
            b.UseSetting("Lookalike:Model", TestData.ModelPath);
        });
        using var reader = readOnly.CreateClient().WithKey(collection, ApiKeyScope.Write);
        await Problems.AssertProblemAsync(await reader.DeleteAsync("/api/images/1"), HttpStatusCode.Forbidden);
        Assert.Equal(1, (await reader.GetFromJsonAsync<CollectionSummary>("/api/collection"))!.Count);
    }

    [SharedDataFact]
    public async Task Upload_files_no_image_refers_to_are_removed_at_start_and_other_files_kept()
    {
        string collection = _temp.Combine("orphans");
        string uploads = Path.Combine(collection, "uploads");
        byte[] photo = File.ReadAllBytes(TestData.Photo("rocket.jpg"));
        long id;
        using (var server = Writable(collection))
        {
            using var client = server.CreateClient().WithKey(collection, ApiKeyScope.Write);
            var added = await client.PostAsync("/api/images", Problems.Form(photo, "rocket.jpg", ("label", "rocket")));
            Assert.Equal(HttpStatusCode.Created, added.StatusCode);
            id = (await added.Content.ReadFromJsonAsync<AddedImage>())!.Id;
        }
        string orphan = Path.Combine(uploads, new string('a', 64) + ".png");
        string notes = Path.Combine(uploads, "notes.txt");
        File.WriteAllBytes(orphan, [1, 2, 3]);
        File.WriteAllText(notes, "the user's own file");
        using (var server = Writable(collection))
        {
            using var client = server.CreateClient().WithKey(collection, ApiKeyScope.Write);
            Assert.False(File.Exists(orphan));
            Assert.True(File.Exists(notes));
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/images/{id}")).StatusCode);
        }
    }

    [SharedDataTheory]
    [InlineData(257, 1, "Label too long")]
    [InlineData(5, 2, "Too many labels")]
    public async Task Labels_are_bounded(int length, int count, string title)
    {
        string collection = _temp.Combine($"labels-{length}-{count}");
        using var server = Writable(collection);
        using var client = server.CreateClient().WithKey(collection, ApiKeyScope.Write);
        var fields = Enumerable.Range(0, count).Select(_ => ("label", new string('x', length))).ToArray();
        var response = await client.PostAsync("/api/images", Problems.Form(File.ReadAllBytes(TestData.Photo("coffee.png")), "c.png", fields));
        await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(title, await response.Content.ReadAsStringAsync());
    }

    public void Dispose() => _temp.Dispose();
}
