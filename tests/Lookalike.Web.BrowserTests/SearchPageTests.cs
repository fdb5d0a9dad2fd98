using Lookalike.Tests.Common;
using Microsoft.Playwright;

namespace Lookalike.Web.BrowserTests;

public sealed class SearchPageTests(LiveServerFixture server) : IClassFixture<LiveServerFixture>
{
    /// <summary>Screenshots land with the test results (artifacts/test-results), which CI keeps as artifacts.</summary>
    public static string ScreenshotFolder => Path.Combine(TestData.RepositoryRoot, "artifacts", "test-results", "screenshots");

    [ChromiumFact]
    public async Task Upload_drop_and_more_like_this_show_result_cards()
    {
        await using var context = await server.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync(server.BaseUrl);
        await Assertions.Expect(page.Locator("#collection-summary")).ToContainTextAsync("103 images");

        // 1. The file picker.
        await page.SetInputFilesAsync("#file-input", TestData.Photo("chelsea.png"));
        await ExpectResultsAsync(page, "chelsea.png");
        await Assertions.Expect(page.Locator("#stats")).ToContainTextAsync("103 of 103 images visited");
        await Assertions.Expect(page.Locator("#query-preview")).ToHaveAttributeAsync("alt", "Query image: chelsea.png");
        await Assertions.Expect(page.Locator("#seen")).ToContainTextAsync("What the model sees: Egyptian cat ");

        // 2. A synthetic drop of another photo.
        string coffee = Convert.ToBase64String(await File.ReadAllBytesAsync(TestData.Photo("coffee.png")));
        await page.EvaluateAsync(@"base64 => {
            const bytes = Uint8Array.from(atob(base64), c => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], 'coffee.png', { type: 'image/png' }));
            const zone = document.getElementById('drop-zone');
            zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
            zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
        }", coffee);
        await ExpectResultsAsync(page, "coffee.png");

        // 3. "More like this": click the fourth card; it becomes the query and leads the new list.
        var fourth = page.Locator(".result-card").Nth(3);
        string fourthName = await fourth.Locator(".name").InnerTextAsync();
        string fourthLabel = await fourth.Locator("img").GetAttributeAsync("alt") ?? "";
        await fourth.Locator("button").ClickAsync();
        await Assertions.Expect(page.Locator("#status")).ToContainTextAsync($"more like {fourthName}");
        await ExpectResultsAsync(page, fourthName);
        Assert.Equal(fourthLabel, await page.Locator(".result-card img").First.GetAttributeAsync("alt"));

        Directory.CreateDirectory(ScreenshotFolder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, "search-page.png"), FullPage = true });
    }

    [ChromiumFact]
    public async Task The_page_works_from_the_keyboard_at_phone_width()
    {
        await using var context = await server.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 390, Height = 844 },
            IsMobile = true,
            HasTouch = true,
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync(server.BaseUrl);
        // Focus and key press in one step: a focus taken away in between (the page is still settling
        // at phone width) would otherwise send Enter elsewhere.
        var chooser = await page.RunAndWaitForFileChooserAsync(() => page.Locator("#drop-zone").PressAsync("Enter"));
        await chooser.SetFilesAsync(TestData.Photo("rocket.jpg"));
        await ExpectResultsAsync(page, "rocket.jpg");

        int overflow = await page.EvaluateAsync<int>("document.documentElement.scrollWidth - window.innerWidth");
        Assert.True(overflow <= 0, $"the page is {overflow}px wider than a phone screen");
        await page.Locator("#k-input").FillAsync("5");
        await page.Locator("#k-input").DispatchEventAsync("change");
        await Assertions.Expect(page.Locator(".result-card")).ToHaveCountAsync(5);
        foreach (var image in await page.Locator(".result-card img").AllAsync())
            Assert.False(string.IsNullOrWhiteSpace(await image.GetAttributeAsync("alt")));
        foreach (string id in new[] { "file-input", "k-input", "index-select" })
            await Assertions.Expect(page.Locator($"label[for={id}]")).ToHaveCountAsync(1);

        Directory.CreateDirectory(ScreenshotFolder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, "search-page-phone.png"), FullPage = true });
    }

    [ChromiumFact]
    public async Task A_bad_file_shows_the_servers_reason()
    {
        var page = await server.Browser.NewPageAsync();
        await page.GotoAsync(server.BaseUrl);
        await page.SetInputFilesAsync("#file-input", new FilePayload
        {
            Name = "notes.jpg",
            MimeType = "image/jpeg",
            Buffer = "not a picture"u8.ToArray(),
        });
        await Assertions.Expect(page.Locator("#error")).ToContainTextAsync("HTTP 415");
        await page.CloseAsync();
    }

    private static async Task ExpectResultsAsync(IPage page, string firstFileName)
    {
        await Assertions.Expect(page.Locator(".result-card").First.Locator(".name")).ToHaveTextAsync(firstFileName);
        await Assertions.Expect(page.Locator(".result-card")).ToHaveCountAsync(10);
    }
}
