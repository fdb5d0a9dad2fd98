using System.Net;
using System.Net.Http.Json;
using Lookalike.Access;
using Lookalike.Tests.Common;
using Lookalike.Web.Api;
using SkiaSharp;

namespace Lookalike.Web.Tests;

[Collection(WebCollection.Name)]
public sealed class ImageRouteTests(SearchAppFactory app)
{
    [SharedDataFact]
    public async Task The_original_is_served_by_id()
    {
        using var client = app.CreateClient();
        var hit = await FirstHitAsync(client, "rocket.jpg");
        var response = await client.GetAsync(hit.ImageUrl);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/jpeg", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(await File.ReadAllBytesAsync(TestData.Photo("rocket.jpg")), await response.Content.ReadAsByteArrayAsync());
    }

    [SharedDataFact]
    public async Task Thumbnails_keep_the_aspect_ratio_and_are_made_once()
    {
        using var client = app.CreateClient();
        var hit = await FirstHitAsync(client, "rocket.jpg");
        byte[] jpeg = await client.GetByteArrayAsync(hit.ThumbnailUrl);
        using var bitmap = SKBitmap.Decode(jpeg);
        Assert.Equal(256, Math.Max(bitmap.Width, bitmap.Height));
        Assert.Equal((double)hit.Width / hit.Height, (double)bitmap.Width / bitmap.Height, 0.02);

        string cached = Assert.Single(Directory.GetFiles(app.Thumbnails, $"*{(await ShaOfAsync(client, hit))}*"));
        var written = File.GetLastWriteTimeUtc(cached);
        await Task.Delay(20);
        Assert.Equal(jpeg, await client.GetByteArrayAsync(hit.ThumbnailUrl));
        Assert.Equal(written, File.GetLastWriteTimeUtc(cached));
    }

    [SharedDataFact]
    public async Task Uploads_are_refused_unless_allowed()
    {
        using var client = app.CreateClient().WithKey(app.Collection, ApiKeyScope.Write);
        await Problems.AssertProblemAsync(
            await client.PostAsync("/api/images", Problems.Form(File.ReadAllBytes(TestData.Photo("coffee.png")), "coffee.png")),
            HttpStatusCode.Forbidden);
    }

    [SharedDataFact]
    public async Task With_uploads_allowed_an_image_is_added_once_and_found()
    {
        string copy = app.Temporary("writable-collection");
        CopyFolder(app.Collection, copy);
        using var writable = app.WithWebHostBuilder(b =>
        {
            b.UseSetting("Lookalike:Collection", copy);
            b.UseSetting("Lookalike:AllowUploadsToCollection", "true");
        });
        using var client = writable.CreateClient().WithKey(copy, ApiKeyScope.Write);
        byte[] flipped = FlippedJpeg(TestData.Photo("chelsea.png"));

        var created = await client.PostAsync("/api/images", Problems.Form(flipped, "mirror-cat.jpg", ("label", "upload")));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var added = (await created.Content.ReadFromJsonAsync<AddedImage>())!;
        Assert.True(added.Added);
        Assert.Equal(app.Count, added.Id);
        Assert.StartsWith(Path.Combine(copy, "uploads"), added.Path);
        Assert.Equal(flipped, await File.ReadAllBytesAsync(added.Path));

        var again = await client.PostAsync("/api/images", Problems.Form(flipped, "same-again.jpg"));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.False((await again.Content.ReadFromJsonAsync<AddedImage>())!.Added);

        var search = (await (await client.PostAsync("/api/search", Problems.Form(flipped, "q.jpg")))
            .Content.ReadFromJsonAsync<SearchResult>())!;
        Assert.Equal(added.Id, search.Results[0].Id);
        Assert.Equal("upload", search.Results[0].Label);
        Assert.Equal(app.Count + 1, (await client.GetFromJsonAsync<CollectionSummary>("/api/collection"))!.Count);
    }

    private static async Task<SearchResultItem> FirstHitAsync(HttpClient client, string photo)
    {
        var response = await client.PostAsync("/api/search", Problems.Form(File.ReadAllBytes(TestData.Photo(photo)), photo, ("k", "1")));
        var hit = Assert.Single((await response.Content.ReadFromJsonAsync<SearchResult>())!.Results);
        Assert.Equal(photo, hit.FileName);
        return hit;
    }

    private static async Task<string> ShaOfAsync(HttpClient client, SearchResultItem hit)
    {
        var response = await client.GetAsync(hit.ImageUrl);
        return response.Headers.ETag!.Tag.Trim('"');
    }

    internal static byte[] FlippedJpeg(string path)
    {
        using var original = SKBitmap.Decode(path);
        using var surface = SKSurface.Create(new SKImageInfo(original.Width, original.Height));
        surface.Canvas.Scale(-1, 1, original.Width / 2f, 0);
        surface.Canvas.DrawBitmap(original, 0, 0);
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, 90);
        return data.ToArray();
    }

    internal static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }
}
