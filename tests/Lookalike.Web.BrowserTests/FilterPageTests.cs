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
    public async Task Dragging_a_box_on_the_query_searches_that_region_of_an_upload_and_of_a_stored_image()
    {
        await using var context = await server.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await OpenAsync(context);
        await page.SetInputFilesAsync("#file-input", TestData.Photo("chelsea.png"));
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("Showing 10 results (search for chelsea.png).");
        await DragAsync(page, 0.1, 0.1, 0.5, 0.6);
        await Assertions.Expect(page.Locator("#status")).ToContainTextAsync("Showing 10 results (search for chelsea.png, region ");
        await Assertions.Expect(page.Locator("#crop-box")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".result-card")).ToHaveCountAsync(10);
        Directory.CreateDirectory(SearchPageTests.ScreenshotFolder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(SearchPageTests.ScreenshotFolder, "search-region.png"), FullPage = true });
        // The file picker did not open: a drag on the preview is not a click on the drop zone.
        await page.ClickAsync("#clear-region");
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("Showing 10 results (search for chelsea.png).");

        // A stored image: its original is fetched and the region searched.
        await page.Locator(".result-card button").Nth(1).ClickAsync();
        await Assertions.Expect(page.Locator("#status")).ToContainTextAsync("Showing 10 results (more like");
        string name = await page.Locator(".result-card .name").First.InnerTextAsync();
        await DragAsync(page, 0.2, 0.2, 0.8, 0.8);
        await Assertions.Expect(page.Locator("#status")).ToContainTextAsync($"Showing 10 results (search for {name}, region ");
    }

    private static async Task DragAsync(IPage page, double x0, double y0, double x1, double y1)
    {
        var box = (await page.Locator("#query-preview").BoundingBoxAsync())!;
        await page.Mouse.MoveAsync((float)(box.X + (x0 * box.Width)), (float)(box.Y + (y0 * box.Height)));
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync((float)(box.X + (x1 * box.Width)), (float)(box.Y + (y1 * box.Height)), new() { Steps = 5 });
        await page.Mouse.UpAsync();
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
