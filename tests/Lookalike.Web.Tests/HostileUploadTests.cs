using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Lookalike.Tests.Common;
using Lookalike.Web.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Lookalike.Web.Tests;

/// <summary>Hostile uploads against the running app: no crash, no hang, no 5xx; a dying decoder costs a worker only.</summary>
[Collection(WebCollection.Name)]
public sealed class HostileUploadTests(SearchAppFactory app, ITestOutputHelper output)
{
    private static readonly TimeSpan PerRequest = TimeSpan.FromSeconds(30);

    [SharedDataFact]
    public async Task Two_thousand_hostile_uploads_get_answers_and_no_5xx()
    {
        var corpus = HostileImages.Corpus();
        using var client = app.CreateClient();
        client.Timeout = PerRequest;
        var statuses = new ConcurrentDictionary<int, int>();
        var failures = new ConcurrentBag<string>();
        var slowest = TimeSpan.Zero;
        await Parallel.ForEachAsync(corpus, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (file, token) =>
        {
            var clock = Stopwatch.StartNew();
            using var response = await client.PostAsync("/api/search", Problems.Form(file.Bytes, file.Name), token);
            var elapsed = clock.Elapsed;
            lock (statuses)
            {
                if (elapsed > slowest) slowest = elapsed;
            }
            int status = (int)response.StatusCode;
            statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
            if (status >= 500) failures.Add($"{file.Name}: {status} {await response.Content.ReadAsStringAsync(token)}");
        });
        output.WriteLine($"{corpus.Count} uploads: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key} × {s.Value}"))}; slowest {slowest.TotalMilliseconds:F0} ms");
        Assert.Empty(failures);
        Assert.True(statuses.GetValueOrDefault(200) > 100, "valid images among the corpus are searched");
        Assert.True(statuses.GetValueOrDefault(415) > 50, "containers and other formats are refused");
        var after = await client.PostAsync("/api/search", Problems.Form(File.ReadAllBytes(TestData.Photo("coffee.png")), "coffee.png"));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    /// <summary>The app with a stand-in for the decoding worker.</summary>
    private WebApplicationFactory<Program> WithWorker(string[] command, params (string Key, string Value)[] settings) =>
        app.WithWebHostBuilder(b =>
        {
            for (int i = 0; i < command.Length; i++) b.UseSetting($"Lookalike:DecoderWorkerCommand:{i}", command[i]);
            foreach (var (key, value) in settings) b.UseSetting(key, value);
        });

    [SharedDataFact]
    public async Task A_decoder_that_crashes_costs_one_request_a_422_and_the_next_request_gets_a_new_worker()
    {
        // A stand-in worker that reads the start of a request and dies of a segmentation fault.
        using var crashing = WithWorker(["/bin/sh", "-c", "head -c 8 > /dev/null; kill -SEGV $$"]);
        using var client = crashing.CreateClient();
        var decoder = crashing.Services.GetRequiredService<CollectionHost>().IsolatedDecoder!;
        int before = decoder.Replaced; // the start-up check has already lost one worker
        byte[] photo = File.ReadAllBytes(TestData.Photo("coffee.png"));
        for (int i = 0; i < 2; i++)
        {
            string detail = await Problems.AssertProblemAsync(await client.PostAsync("/api/search", Problems.Form(photo, "coffee.png")),
                HttpStatusCode.UnprocessableEntity);
            Assert.Contains("crashed the image decoder", detail);
        }
        Assert.Equal(before + 2, decoder.Replaced);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
    }

    [SharedDataFact]
    public async Task A_decoder_that_hangs_is_stopped_at_its_time_limit()
    {
        using var hanging = WithWorker(["/bin/sleep", "600"], ("Lookalike:DecodeTimeout", "00:00:01"));
        using var client = hanging.CreateClient();
        var clock = Stopwatch.StartNew();
        string detail = await Problems.AssertProblemAsync(
            await client.PostAsync("/api/search", Problems.Form(File.ReadAllBytes(TestData.Photo("coffee.png")), "coffee.png")),
            HttpStatusCode.UnprocessableEntity);
        Assert.Contains("longer than 1 s", detail);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"{clock.Elapsed.TotalSeconds:F1} s");
    }

    [SharedDataFact]
    public async Task A_worker_that_died_while_idle_is_replaced_before_the_next_upload()
    {
        using var client = app.CreateClient();
        byte[] photo = File.ReadAllBytes(TestData.Photo("coffee.png"));
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/search", Problems.Form(photo, "coffee.png"))).StatusCode);
        var decoder = app.Services.GetRequiredService<CollectionHost>().IsolatedDecoder!;
        foreach (int pid in decoder.IdleWorkerIds)
        {
            using var worker = Process.GetProcessById(pid);
            worker.Kill();
            await worker.WaitForExitAsync();
        }
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/search", Problems.Form(photo, "coffee.png"))).StatusCode);
    }
}
