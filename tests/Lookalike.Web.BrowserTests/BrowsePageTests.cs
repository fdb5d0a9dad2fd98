using Lookalike.Evaluation.Datasets;
using Lookalike.Tests.Common;
using Microsoft.Playwright;

namespace Lookalike.Web.BrowserTests;

/// <summary>The sample plus re-encoded and resized copies of the three photos, served with changes allowed.</summary>
public sealed class PlantedServerFixture : LiveServerFixture
{
    protected override void AddImages(string imagesFolder) =>
        PlantedDuplicates.Write(new[] { "chelsea.png", "coffee.png", "rocket.jpg" }.Select(TestData.Photo), Path.Combine(imagesFolder, "planted"));

    protected override IEnumerable<string> ServerArguments => ["--Lookalike:AllowUploadsToCollection=true"];
}

/// <summary>The collection view and the duplicates view in a real browser.</summary>
public sealed class BrowsePageTests(PlantedServerFixture server) : IClassFixture<PlantedServerFixture>
{
    // 100 CIFAR-10 images, the three photos, and five copies of each under planted/ (the originals there are identical files).
    // The delete test takes one image out; the duplicates test does not depend on the count.
    private const int Images = 100 + 3 + 15;

    private async Task<IPage> OpenAsync(IBrowserContext context, string view)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync($"{server.BaseUrl}#{view}");
        await Assertions.Expect(page.Locator("#collection-summary")).ToContainTextAsync(" images · model ");
        return page;
    }

    [ChromiumFact]
    public async Task The_collection_view_pages_filters_by_label_finds_similar_and_deletes()
    {
        await using var context = await server.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await OpenAsync(context, "collection");
        await Assertions.Expect(page.Locator("#collection-summary")).ToContainTextAsync($"{Images} images");
        await Assertions.Expect(page.Locator("#browse-page")).ToHaveTextAsync($"1–60 of {Images}");
        await Assertions.Expect(page.Locator("#view-search")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#browse-grid .browse-card")).ToHaveCountAsync(60);
        await page.ClickAsync("#browse-next");
        await Assertions.Expect(page.Locator("#browse-page")).ToHaveTextAsync($"61–{Images} of {Images}");
        await Assertions.Expect(page.Locator("#browse-next")).ToBeDisabledAsync();

        await page.SelectOptionAsync("#browse-label", "cat");
        await Assertions.Expect(page.Locator("#browse-page")).ToHaveTextAsync("1–10 of 10");
        Assert.All(await page.Locator("#browse-grid .label").AllInnerTextsAsync(), l => Assert.Equal("label: cat", l));
        Directory.CreateDirectory(SearchPageTests.ScreenshotFolder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(SearchPageTests.ScreenshotFolder, "collection-view.png"), FullPage = true });

        // "Find similar" leads to the search view with that image first.
        string name = await page.Locator("#browse-grid .name").First.InnerTextAsync();
        await page.Locator("#browse-grid .find-similar").First.ClickAsync();
        await Assertions.Expect(page.Locator("#view-search")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".result-card .name").First).ToHaveTextAsync(name);

        // Delete (after the confirmation) takes the image out of the collection.
        await page.GotoAsync($"{server.BaseUrl}#collection");
        await page.SelectOptionAsync("#browse-label", "cat");
        await Assertions.Expect(page.Locator("#browse-page")).ToHaveTextAsync("1–10 of 10");
        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        // Reading needs no key on loopback, deleting does: the page asks for one, keeps it for the tab, and the delete goes through.
        await page.Locator("#browse-grid .delete").First.ClickAsync();
        await Assertions.Expect(page.Locator("#key-form")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#key-reason")).ToContainTextAsync("needs an API key");
        await page.FillAsync("#key-input", server.CreateKey(Access.ApiKeyScope.Write));
        await page.ClickAsync("#key-form button");
        await Assertions.Expect(page.Locator("#key-forget")).ToBeVisibleAsync();
        await page.SelectOptionAsync("#browse-label", "cat");
        await Assertions.Expect(page.Locator("#browse-page")).ToHaveTextAsync("1–10 of 10");
        await page.Locator("#browse-grid .delete").First.ClickAsync();
        await Assertions.Expect(page.Locator("#browse-page")).ToHaveTextAsync("1–9 of 9");
        await Assertions.Expect(page.Locator("#collection-summary")).ToContainTextAsync($"{Images - 1} images");
    }

    [ChromiumFact]
    public async Task The_duplicates_view_groups_the_planted_copies_and_follows_its_threshold()
    {
        await using var context = await server.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await OpenAsync(context, "duplicates");
        // Three identical pairs (each photo and its original copy under planted/) and three near-duplicate groups.
        await Assertions.Expect(page.Locator("#dup-summary")).ToContainTextAsync("6 group(s)", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator(".dup-group")).ToHaveCountAsync(6);
        await Assertions.Expect(page.Locator(".dup-member.keeper")).ToHaveCountAsync(6);
        await Assertions.Expect(page.Locator("#view-search")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator(".dup-group").First).ToContainTextAsync("photo/");
        Directory.CreateDirectory(SearchPageTests.ScreenshotFolder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(SearchPageTests.ScreenshotFolder, "duplicates-view.png"), FullPage = true });

        await page.FillAsync("#dup-threshold", "1");
        await Assertions.Expect(page.Locator("#dup-threshold-value")).ToHaveTextAsync("1.00");
        await Assertions.Expect(page.Locator("#dup-summary")).ToContainTextAsync("at similarity ≥ 1.00: 3 of identical files", new() { Timeout = 30_000 });
    }
}
