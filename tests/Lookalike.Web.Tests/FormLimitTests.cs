using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Lookalike.Tests.Common;

namespace Lookalike.Web.Tests;

/// <summary>Malformed and oversized forms get 4xx answers that say what was wrong, never echoing much of the input.</summary>
[Collection(WebCollection.Name)]
public sealed class FormLimitTests(SearchAppFactory app)
{
    private static byte[] Photo => File.ReadAllBytes(TestData.Photo("coffee.png"));

    [SharedDataFact]
    public async Task A_body_without_its_closing_boundary_is_a_400()
    {
        using var client = app.CreateClient();
        string body = "--b\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n" +
            new string('x', 3000);
        using var content = new StringContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b");
        await Problems.AssertProblemAsync(await client.PostAsync("/api/search", content), HttpStatusCode.BadRequest);
    }

    [SharedDataFact]
    public async Task Two_thousand_fields_are_too_many_not_too_large()
    {
        using var client = app.CreateClient();
        var fields = Enumerable.Range(0, 2000).Select(i => ($"f{i}", "1")).ToArray();
        string detail = await Problems.AssertProblemAsync(await client.PostAsync("/api/search", Problems.Form(Photo, "c.png", fields)),
            HttpStatusCode.BadRequest);
        Assert.Contains("at most 16 form fields", detail);
    }

    [SharedDataFact]
    public async Task A_huge_part_header_is_named_as_such()
    {
        using var client = app.CreateClient();
        using var form = Problems.Form(Photo, "c.png");
        var field = new StringContent("10");
        field.Headers.Add("X-Padding", new string('p', 20_000));
        form.Add(field, "k");
        string detail = await Problems.AssertProblemAsync(await client.PostAsync("/api/search", form), HttpStatusCode.BadRequest);
        Assert.Contains("headers of one form part", detail);
    }

    [SharedDataFact]
    public async Task Long_values_are_refused_and_never_echoed_whole()
    {
        using var client = app.CreateClient();
        foreach (var (name, length) in new[] { ("k", 900), ("metric", 900), ("index", 900), ("k", 5_000_000) })
        {
            var response = await client.PostAsync("/api/search", Problems.Form(Photo, "c.png", (name, new string('9', length))));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            string body = Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync());
            Assert.True(body.Length < 600, $"{name} of {length}: {body.Length} characters answered");
        }
    }
}
