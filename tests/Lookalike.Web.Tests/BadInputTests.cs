using System.Net;
using System.Net.Http.Json;
using Lookalike.Tests.Common;
using Lookalike.Web.Api;

namespace Lookalike.Web.Tests;

[Collection(WebCollection.Name)]
public sealed class BadInputTests(SearchAppFactory app)
{
    private static byte[] Photo(string name) => File.ReadAllBytes(TestData.Photo(name));

    [SharedDataFact]
    public async Task Text_is_not_an_image()
    {
        using var client = app.CreateClient();
        string detail = await Problems.AssertProblemAsync(
            await client.PostAsync("/api/search", Problems.Form("hello, not a picture"u8.ToArray(), "notes.jpg")),
            HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("notes.jpg", detail);
    }

    [SharedDataFact]
    public async Task A_truncated_jpeg_cannot_be_decoded()
    {
        using var client = app.CreateClient();
        byte[] truncated = Photo("rocket.jpg")[..4000];
        string detail = await Problems.AssertProblemAsync(
            await client.PostAsync("/api/search", Problems.Form(truncated, "rocket.jpg")), HttpStatusCode.BadRequest);
        Assert.Contains("truncated", detail);
    }

    [SharedDataFact]
    public async Task An_empty_file_is_refused() =>
        await Problems.AssertProblemAsync(
            await app.CreateClient().PostAsync("/api/search", Problems.Form([], "empty.png")), HttpStatusCode.BadRequest);

    [SharedDataFact]
    public async Task An_upload_over_the_size_limit_gets_413()
    {
        byte[] big = new byte[20 * 1024 * 1024 + 1];
        Photo("chelsea.png").CopyTo(big, 0);
        await Problems.AssertProblemAsync(
            await app.CreateClient().PostAsync("/api/search", Problems.Form(big, "big.png")), HttpStatusCode.RequestEntityTooLarge);
    }

    [SharedDataFact]
    public async Task An_image_over_the_pixel_limit_gets_413_from_its_header()
    {
        byte[] png = HostileImages.BlackPng(8000, 7000); // 56 MP; 168 MB if it were decoded
        Assert.True(png.Length < 2_000_000);
        string detail = await Problems.AssertProblemAsync(
            await app.CreateClient().PostAsync("/api/search", Problems.Form(png, "huge.png")), HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("8000×7000", detail);
    }

    [SharedDataTheory]
    [InlineData("0")]
    [InlineData("101")]
    [InlineData("-3")]
    [InlineData("ten")]
    public async Task K_out_of_range_gets_400(string k)
    {
        string detail = await Problems.AssertProblemAsync(
            await app.CreateClient().PostAsync("/api/search", Problems.Form(Photo("coffee.png"), "coffee.png", ("k", k))),
            HttpStatusCode.BadRequest);
        Assert.Contains("k must be", detail);
        await Problems.AssertProblemAsync(await app.CreateClient().PostAsync($"/api/search/by-id/0?k={k}", null), HttpStatusCode.BadRequest);
    }

    [SharedDataFact]
    public async Task Unknown_index_or_metric_gets_400()
    {
        using var client = app.CreateClient();
        await Problems.AssertProblemAsync(await client.PostAsync("/api/search",
            Problems.Form(Photo("coffee.png"), "coffee.png", ("index", "Flat;rm -rf"))), HttpStatusCode.BadRequest);
        await Problems.AssertProblemAsync(await client.PostAsync("/api/search",
            Problems.Form(Photo("coffee.png"), "coffee.png", ("metric", "manhattan"))), HttpStatusCode.BadRequest);
    }

    [SharedDataFact]
    public async Task A_request_without_the_image_field_is_refused()
    {
        using var client = app.CreateClient();
        using var noFile = new MultipartFormDataContent { { new StringContent("10"), "k" } };
        await Problems.AssertProblemAsync(await client.PostAsync("/api/search", noFile), HttpStatusCode.BadRequest);
        await Problems.AssertProblemAsync(await client.PostAsJsonAsync("/api/search", new { image = "chelsea.png" }),
            HttpStatusCode.UnsupportedMediaType);
    }

    [SharedDataTheory]
    [InlineData("/api/images/..%2F..%2F..%2Fetc%2Fpasswd")]
    [InlineData("/api/images/%2Fetc%2Fpasswd")]
    [InlineData("/api/images/..%2Fcollection%2Fmanifest.json/thumbnail")]
    [InlineData("/api/images/0%2F..%2F..%2Fetc%2Fpasswd")]
    [InlineData("/api/images/-1")]
    [InlineData("/api/images/99999999/thumbnail")]
    public async Task Image_routes_take_ids_only(string url)
    {
        var response = await app.CreateClient().GetAsync(url);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("root:", await response.Content.ReadAsStringAsync());
    }

    [SharedDataFact]
    public async Task The_server_keeps_answering_after_bad_requests()
    {
        using var client = app.CreateClient();
        for (int i = 0; i < 3; i++) await client.PostAsync("/api/search", Problems.Form([0xFF, 0xD8, 0xFF], "broken.jpg"));
        var response = await client.PostAsync("/api/search", Problems.Form(Photo("coffee.png"), "coffee.png"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = (await response.Content.ReadFromJsonAsync<SearchResult>())!;
        Assert.Equal("coffee.png", result.Results[0].FileName);
    }
}
