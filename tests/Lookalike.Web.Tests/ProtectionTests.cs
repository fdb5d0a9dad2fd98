using System.Net;
using System.Text.RegularExpressions;
using Lookalike.Access;
using Lookalike.Tests.Common;
using Lookalike.Web.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Lookalike.Web.Tests;

/// <summary>Rate limits, security headers, CORS, metrics and health on the in-memory server.</summary>
[Collection(WebCollection.Name)]
public sealed partial class ProtectionTests(SearchAppFactory app)
{
    private WebApplicationFactory<Program> Server(params (string Key, string Value)[] settings) => app.WithWebHostBuilder(b =>
    {
        foreach (var (key, value) in settings) b.UseSetting(key, value);
    });

    private static HttpRequestMessage Search(string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/search/by-id/1?k=2");
        if (key is not null) request.Headers.Add("X-Api-Key", key);
        return request;
    }

    [SharedDataFact]
    public async Task An_empty_bucket_answers_429_with_retry_after_and_refills_and_each_key_has_its_own()
    {
        using var server = Server(("Lookalike:RateLimitBurst", "2"), ("Lookalike:RateLimitPerSecond", "1"));
        using var client = server.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Search())).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Search())).StatusCode);
        var refused = await client.SendAsync(Search());
        Assert.Contains("try again", await Problems.AssertProblemAsync(refused, (HttpStatusCode)429));
        var retryAfter = refused.Headers.RetryAfter?.Delta ?? throw new Xunit.Sdk.XunitException("no Retry-After");
        Assert.InRange(retryAfter.TotalSeconds, 1, 2);
        // Reading the collection costs nothing and is not limited.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/collection")).StatusCode);

        // A key is its own client: its bucket is full while the address's is empty.
        string key = TestKeys.Create(app.Collection, ApiKeyScope.Read);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Search(key))).StatusCode);

        await Task.Delay(retryAfter + TimeSpan.FromMilliseconds(200));
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Search())).StatusCode);
    }

    [SharedDataFact]
    public async Task The_page_and_the_api_carry_the_security_headers()
    {
        using var client = app.CreateClient();
        foreach (string url in new[] { "/", "/app.js", "/api/collection", "/api/images/999999" })
        {
            var response = await client.GetAsync(url);
            Assert.Equal(SecurityHeaders.ContentSecurityPolicy, response.Headers.GetValues("Content-Security-Policy").Single());
            Assert.Contains("frame-ancestors 'none'", SecurityHeaders.ContentSecurityPolicy);
            Assert.DoesNotContain("unsafe-inline", SecurityHeaders.ContentSecurityPolicy);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        }
        // The page has no inline script or style for the policy to block.
        string page = await client.GetStringAsync("/");
        Assert.DoesNotMatch(@"<script(?![^>]*\bsrc=)", page);
        Assert.DoesNotContain("<style", page);
        Assert.DoesNotContain(" style=", page);
        Assert.DoesNotContain(" onclick=", page);
    }

    [SharedDataFact]
    public async Task Cors_preflight_is_allowed_only_for_the_configured_origins()
    {
        using var server = Server(("Lookalike:CorsOrigins:0", "https://photos.example.org"));
        using var client = server.CreateClient();
        foreach (var (origin, allowed) in new[] { ("https://photos.example.org", true), ("https://elsewhere.example.org", false) })
        {
            var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/search");
            preflight.Headers.Add("Origin", origin);
            preflight.Headers.Add("Access-Control-Request-Method", "POST");
            preflight.Headers.Add("Access-Control-Request-Headers", "x-api-key");
            var response = await client.SendAsync(preflight);
            Assert.Equal(allowed, response.Headers.TryGetValues("Access-Control-Allow-Origin", out var origins) && origins.Single() == origin);
            if (allowed) Assert.Contains("X-Api-Key", response.Headers.GetValues("Access-Control-Allow-Headers").Single(), StringComparison.OrdinalIgnoreCase);
        }
        // Without the option no origin is allowed.
        using var plain = app.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/collection");
        request.Headers.Add("Origin", "https://photos.example.org");
        Assert.False((await plain.SendAsync(request)).Headers.Contains("Access-Control-Allow-Origin"));
    }

    [SharedDataFact]
    public async Task Metrics_count_a_search_its_visits_the_collection_and_refusals()
    {
        using var server = Server(("Lookalike:PublicRead", "false"));
        using var client = server.CreateClient();
        string key = TestKeys.Create(app.Collection, ApiKeyScope.Read);
        // The sum over the series that match (another host in this process may export the same instruments).
        double Total(string text, string pattern) => MetricLine().Matches(text).Select(m => m.Value).Where(l => Regex.IsMatch(l, pattern))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        async Task<string> ScrapeAsync()
        {
            var scrape = new HttpRequestMessage(HttpMethod.Get, "/metrics");
            scrape.Headers.Add("X-Api-Key", key);
            var response = await client.SendAsync(scrape);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return await response.Content.ReadAsStringAsync();
        }

        await Problems.AssertProblemAsync(await client.GetAsync("/metrics"), HttpStatusCode.Unauthorized);
        string before = await ScrapeAsync();
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Search(key))).StatusCode);
        var upload = new HttpRequestMessage(HttpMethod.Post, "/api/search") { Content = Problems.Form(File.ReadAllBytes(TestData.Photo("rocket.jpg")), "rocket.jpg") };
        upload.Headers.Add("X-Api-Key", key);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(upload)).StatusCode);
        await Problems.AssertProblemAsync(await client.SendAsync(Search()), HttpStatusCode.Unauthorized);
        string after = await ScrapeAsync();
        void Grew(string pattern, int by) => Assert.True(Total(after, pattern) >= Total(before, pattern) + by, $"{pattern}: {Total(before, pattern)} → {Total(after, pattern)} in\n{after}");

        Grew(@"^lookalike_search_visited_count\{.*index=""Flat""", 2);
        Grew(@"^lookalike_search_duration_seconds_count\{", 2);
        Grew(@"^lookalike_extraction_duration_seconds_count\{", 1);
        Grew(@"^http_server_request_duration_seconds_count\{.*http_response_status_code=""200"".*http_route=""/api/search/by-id/\{id:long\}""", 1);
        Grew(@"^lookalike_requests_rejected_total\{.*reason=""no_key""", 1);
        Assert.Contains(MetricLine().Matches(after), m => Regex.IsMatch(m.Value, $@"^lookalike_collection_images\{{.*\}} {app.Count}$"));
    }

    [GeneratedRegex(@"^[a-z_]+(\{.*\})? [0-9.e+\-]+$", RegexOptions.Multiline)]
    private static partial Regex MetricLine();
}
