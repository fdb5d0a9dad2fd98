using Lookalike.Indexing;
using Lookalike.Progress;
using Lookalike.Tests.Common;
using Microsoft.Playwright;

namespace Lookalike.Web.BrowserTests;

/// <summary>The search view's filters and similarity slider, and the progress of an index run, in a real browser.</summary>
public sealed class FilterPageTests(LiveServerFixture server) : IClassFixture<LiveServerFixture>
{
    private async Task<IPage> OpenAsync(IBrowserContext context)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(server.BaseUrl);
        await Assertions.Expect(page.Locator("#collection-summary")).ToContainTextAsync("103 images");
        return page;
    }

    [ChromiumFact]
    public async Task Label_and_similarity_filters_narrow_the_results_and_say_how_many_were_left_out()
    {
        await using var context = await server.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await OpenAsync(context);
        await page.FillAsync("#label-input", "photo, cat");
        await page.SetInputFilesAsync("#file-input", TestData.Photo("chelsea.png"));
        await Assertions.Expect(page.Locator(".result-card")).ToHaveCountAsync(10);
        var labels = await page.Locator(".result-card .label").AllInnerTextsAsync();
        Assert.All(labels, l => Assert.True(l is "label: photo" or "label: cat", l));
        await Assertions.Expect(page.Locator("#stats")).ToContainTextAsync("filtered out");

        await page.FillAsync("#label-input", "photo");
        await page.DispatchEventAsync("#label-input", "change");
        await Assertions.Expect(page.Locator(".result-card")).ToHaveCountAsync(3);

        // The slider: only the query itself is at least 0.99 similar to itself.
        await page.FillAsync("#similarity-input", "0.99");
        await Assertions.Expect(page.Locator("#similarity-value")).ToHaveTextAsync("0.99");
        await Assertions.Expect(page.Locator(".result-card")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator(".result-card .name")).ToHaveTextAsync("chelsea.png");
        await Assertions.Expect(page.Locator("#stats")).ToContainTextAsync("2 below the similarity cut-off");
        Directory.CreateDirectory(SearchPageTests.ScreenshotFolder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(SearchPageTests.ScreenshotFolder, "search-filters.png"), FullPage = true });
    }

    [ChromiumFact]
    public async Task An_index_run_shows_its_progress_until_it_ends()
    {
        await using var context = await server.Browser.NewContextAsync();
        var page = await OpenAsync(context);
        await Assertions.Expect(page.Locator("#indexing")).ToBeHiddenAsync();
        var status = IndexingStatus.Report(server.Collection, "/pictures/holiday");
        try
        {
            status.Wrap(null).Report(new ProgressUpdate("Indexing", 40, 100));
            await Assertions.Expect(page.Locator("#indexing")).ToBeVisibleAsync(new() { Timeout = 15_000 });
            await Assertions.Expect(page.Locator("#indexing-text")).ToContainTextAsync("Indexing /pictures/holiday: 40 of 100 · 103 images searchable now");
            Assert.Equal("40", await page.Locator("#indexing-bar").GetAttributeAsync("value") is { } v ? ((int)double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToString(System.Globalization.CultureInfo.InvariantCulture) : null);
            Directory.CreateDirectory(SearchPageTests.ScreenshotFolder);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(SearchPageTests.ScreenshotFolder, "indexing-progress.png") });
        }
        finally
        {
            status.Dispose();
        }
        await Assertions.Expect(page.Locator("#indexing")).ToBeHiddenAsync(new() { Timeout = 15_000 });
    }
}
