using Lookalike.Tests.Common;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Lookalike.Web.Tests;

/// <summary>
/// The web app in memory over a real collection: 10 CIFAR-10 test images a class plus the three reference
/// photos, featurised with the real ResNet50. Thumbnails go to a temporary folder.
/// </summary>
public sealed class SearchAppFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    private readonly TempDirectory _temp = new();

    public string Images => _temp.Combine("images");

    public string Collection => _temp.Combine("collection");

    public string Thumbnails => _temp.Combine("thumbnails");

    public long Count { get; private set; }

    public string Temporary(string name) => _temp.Combine(name);

    public async Task InitializeAsync()
    {
        if (!TestData.SharedDataPresent && !TestData.InCi) return;
        Count = await SampleCollection.BuildAsync(Images, Collection, perClass: 10);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // The app is a library hosted by TestHost.cs: nothing is read from a content folder.
        builder.UseContentRoot(AppContext.BaseDirectory);
        builder.UseSetting("Lookalike:Collection", Collection);
        builder.UseSetting("Lookalike:ThumbnailFolder", Thumbnails);
        // The tests share one client address; the rate-limit tests set their own limits.
        builder.UseSetting("Lookalike:RateLimitBurst", "0");
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        _temp.Dispose();
    }
}
