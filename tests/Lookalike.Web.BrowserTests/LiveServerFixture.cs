using Lookalike.Tests.Common;
using Lookalike.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;

namespace Lookalike.Web.BrowserTests;

/// <summary>
/// The real server on Kestrel (a free local port) over a small featurised collection, and a headless Chromium.
/// </summary>
public class LiveServerFixture : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();
    private WebApplication? _app;
    private IPlaywright? _playwright;

    public string BaseUrl { get; private set; } = "";

    /// <summary>The collection folder the server searches.</summary>
    public string Collection => _temp.Combine("collection");

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>A new API key of <paramref name="scope"/> for the collection served.</summary>
    public string CreateKey(Access.ApiKeyScope scope) =>
        Access.ApiKeyStore.ForCollection(Collection, Onnx.Models.ModelLocator.DataDirectory).Create($"browser-{Guid.NewGuid():N}", scope).Token.ToString();

    /// <summary>Images to index besides the sample (written into the folder before it is indexed).</summary>
    protected virtual void AddImages(string imagesFolder)
    {
    }

    /// <summary>More server arguments.</summary>
    protected virtual IEnumerable<string> ServerArguments => [];

    public async Task InitializeAsync()
    {
        if (!TestData.InCi && (!TestData.SharedDataPresent || !File.Exists(ChromiumFactAttribute.ChromiumPath))) return;
        string collection = Collection;
        AddImages(_temp.Combine("images"));
        await SampleCollection.BuildAsync(_temp.Combine("images"), collection, perClass: 10);
        _app = await SearchServer.BuildAsync([
            "--urls=http://127.0.0.1:0",
            $"--Lookalike:Collection={collection}",
            $"--Lookalike:ThumbnailFolder={_temp.Combine("thumbnails")}",
            // One browser makes every request of the tests: no rate limit.
            "--Lookalike:RateLimitBurst=0",
            .. ServerArguments,
        ]);
        await _app.StartAsync();
        BaseUrl = _app.Urls.Single();
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumFactAttribute.ChromiumPath,
            Headless = true,
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        _temp.Dispose();
    }
}
