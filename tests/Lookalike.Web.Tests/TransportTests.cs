using System.Net;
using Lookalike.Errors;
using Lookalike.Tests.Common;

namespace Lookalike.Web.Tests;

/// <summary>TLS from certificate files, client addresses behind a trusted proxy, and readiness, on the real server.</summary>
[Collection(WebCollection.Name)]
public sealed class TransportTests(SearchAppFactory app)
{
    private string[] Base(params string[] more) =>
        [$"Lookalike:Collection={app.Collection}", $"Lookalike:ThumbnailFolder={app.Thumbnails}", .. more];

    [SharedDataFact]
    public async Task Https_serves_with_the_given_pem_certificate_and_a_missing_file_fails_at_start()
    {
        string cert = app.Temporary("tls.crt"), key = app.Temporary("tls.key");
        var certificate = LiveServer.WriteCertificate(cert, key);
        await using (var server = await LiveServer.StartAsync($"https://127.0.0.1:{LiveServer.FreePort()}", true,
                         Base($"Lookalike:HttpsCertificate={cert}", $"Lookalike:HttpsKey={key}")))
        {
            using var client = LiveServer.TrustingClient(certificate);
            var response = await client.GetAsync($"{server.Url}/api/collection");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith("https://", server.Url);
        }
        var missing = await Assert.ThrowsAnyAsync<Exception>(() => LiveServer.StartAsync($"https://127.0.0.1:{LiveServer.FreePort()}", true,
            Base($"Lookalike:HttpsCertificate={app.Temporary("none.crt")}")));
        Assert.Contains("none.crt", (missing as LookalikeException ?? missing.InnerException as LookalikeException ?? throw missing).Message);
        // A certificate needs an https address, and an https address a certificate.
        var unused = await Assert.ThrowsAsync<LookalikeException>(() => LiveServer.StartAsync("http://127.0.0.1:0", true,
            Base($"Lookalike:HttpsCertificate={cert}", $"Lookalike:HttpsKey={key}")));
        Assert.Contains("no https:// address", unused.Message);
        var bare = await Assert.ThrowsAsync<LookalikeException>(() => LiveServer.StartAsync($"https://127.0.0.1:{LiveServer.FreePort()}", true, Base()));
        Assert.Contains("--https-cert", bare.Message);
    }

    [SharedDataFact]
    public async Task Forwarded_client_addresses_are_believed_only_from_a_trusted_proxy()
    {
        foreach (bool trusted in new[] { true, false })
        {
            string[] settings = Base([
                "Lookalike:RateLimitBurst=1", "Lookalike:RateLimitPerSecond=1", .. (trusted ? new[] { "Lookalike:TrustedProxies:0=127.0.0.1" } : []),
            ]);
            await using var server = await LiveServer.StartAsync("http://127.0.0.1:0", true, settings);
            using var client = new HttpClient();
            async Task<HttpStatusCode> SearchAsync(string forwardedFor)
            {
                var request = new HttpRequestMessage(HttpMethod.Post, $"{server.Url}/api/search/by-id/1?k=1");
                request.Headers.Add("X-Forwarded-For", forwardedFor);
                return (await client.SendAsync(request)).StatusCode;
            }
            Assert.Equal(HttpStatusCode.OK, await SearchAsync("203.0.113.5"));
            Assert.Equal(HttpStatusCode.TooManyRequests, await SearchAsync("203.0.113.5"));
            // Behind the trusted proxy another client has its own bucket; from an untrusted peer the header is ignored.
            Assert.Equal(trusted ? HttpStatusCode.OK : HttpStatusCode.TooManyRequests, await SearchAsync("203.0.113.6"));
        }
    }

    [SharedDataFact]
    public async Task Ready_only_once_the_collection_and_indexes_are_loaded_and_live_all_along()
    {
        await using var server = await LiveServer.StartAsync("http://127.0.0.1:0", false, Base());
        using var client = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"{server.Url}/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync($"{server.Url}/health/ready")).StatusCode);
        await Hosting.SearchServer.WarmUpAsync(server.App);
        var ready = await client.GetAsync($"{server.Url}/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
    }
}
