using System.Diagnostics;
using Lookalike.Access;
using Lookalike.Web.Hosting;
using Microsoft.AspNetCore.Builder;

namespace Lookalike.Benchmarks;

/// <summary>
/// What API keys and rate limiting cost per request: the same collection served twice in one run, open (no key, no limit) and
/// guarded (a read key checked on every request, a token bucket taken from on every search), requests sent from 4 clients,
/// rounds alternating between the two so that both see the same machine.
/// </summary>
internal static class AccessCost
{
    public static async Task RunAsync(string collection, int requests, int rounds)
    {
        string key = ApiKeyStore.ForCollection(collection, Onnx.Models.ModelLocator.DataDirectory)
            .Create($"bench-{Guid.NewGuid():N}", ApiKeyScope.Read).Token.ToString();
        var open = await StartAsync(collection, "--Lookalike:PublicRead=true", "--Lookalike:RateLimitBurst=0");
        // A bucket that never runs dry: every search takes a token, none is refused.
        var guarded = await StartAsync(collection, "--Lookalike:PublicRead=false", $"--Lookalike:RateLimitBurst={int.MaxValue}",
            $"--Lookalike:RateLimitPerSecond={int.MaxValue}");
        try
        {
            var routes = new (string Name, HttpMethod Method, string Path)[]
            {
                ("GET /api/collection", HttpMethod.Get, "/api/collection"),
                ("POST /api/search/by-id (k=10, exact)", HttpMethod.Post, "/api/search/by-id/1?k=10"),
            };
            Console.WriteLine($"{requests:N0} requests a round from 4 clients, {rounds} rounds alternating; median of the rounds.");
            Console.WriteLine("| route | open µs/request | with key + rate limit µs/request | cost |");
            Console.WriteLine("|---|---:|---:|---:|");
            foreach (var route in routes)
            {
                var openTimes = new List<double>();
                var guardedTimes = new List<double>();
                await MeasureAsync(open, null, route.Method, route.Path, requests / 10);
                await MeasureAsync(guarded, key, route.Method, route.Path, requests / 10);
                for (int round = 0; round < rounds; round++)
                {
                    openTimes.Add(await MeasureAsync(open, null, route.Method, route.Path, requests));
                    guardedTimes.Add(await MeasureAsync(guarded, key, route.Method, route.Path, requests));
                }
                double a = Median(openTimes), b = Median(guardedTimes);
                Console.WriteLine($"| {route.Name} | {a:F0} | {b:F0} | {b / a:F3}× ({b - a:+0;-0} µs) |");
            }
        }
        finally
        {
            foreach (var app in new[] { open, guarded })
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }
    }

    private static async Task<WebApplication> StartAsync(string collection, params string[] settings)
    {
        var app = await SearchServer.BuildAsync(["--urls=http://127.0.0.1:0", $"--Lookalike:Collection={collection}", "--Logging:LogLevel:Default=Warning", .. settings]);
        await app.StartAsync();
        return app;
    }

    /// <summary>Microseconds of wall time per request, 4 clients at once.</summary>
    private static async Task<double> MeasureAsync(WebApplication app, string? key, HttpMethod method, string path, int requests)
    {
        string url = app.Urls.Single() + path;
        using var client = new HttpClient();
        if (key is not null) client.DefaultRequestHeaders.Add("X-Api-Key", key);
        int next = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= requests)
            {
                using var response = await client.SendAsync(new HttpRequestMessage(method, url));
                if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{url}: HTTP {(int)response.StatusCode}");
                await response.Content.CopyToAsync(Stream.Null);
            }
        }));
        return clock.Elapsed.TotalMicroseconds / requests;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
