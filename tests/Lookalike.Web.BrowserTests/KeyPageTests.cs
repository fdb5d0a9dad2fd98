using Lookalike.Access;
using Lookalike.Tests.Common;
using Microsoft.Playwright;

namespace Lookalike.Web.BrowserTests;

/// <summary>The sample served as on a network: every API route needs a key.</summary>
public sealed class KeyedServerFixture : LiveServerFixture
{
    protected override IEnumerable<string> ServerArguments => ["--Lookalike:PublicRead=false"];
}

/// <summary>The page on a server that needs a key: it asks for one, refuses a wrong one, and with a read key searches and shows images.</summary>
public sealed class KeyPageTests(KeyedServerFixture server) : IClassFixture<KeyedServerFixture>
{
    [ChromiumFact]
    public async Task The_page_asks_for_a_key_explains_a_wrong_one_and_searches_with_a_read_key()
    {
        await using var context = await server.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        var blocked = new List<string>();
        page.Console += (_, message) => { if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal)) blocked.Add(message.Text); };
        await page.GotoAsync(server.BaseUrl);
        await Assertions.Expect(page.Locator("#key-form")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#key-reason")).ToContainTextAsync("This server needs an API key.");
        Directory.CreateDirectory(SearchPageTests.ScreenshotFolder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(SearchPageTests.ScreenshotFolder, "key-prompt.png"), FullPage = true });

        await page.FillAsync("#key-input", ApiKeyToken.Create().ToString());
        await page.ClickAsync("#key-form button");
        await Assertions.Expect(page.Locator("#key-reason")).ToContainTextAsync("did not accept the key");

        await page.FillAsync("#key-input", server.CreateKey(ApiKeyScope.Read));
        await page.ClickAsync("#key-form button");
        await Assertions.Expect(page.Locator("#collection-summary")).ToContainTextAsync("103 images");
        await Assertions.Expect(page.Locator("#key-form")).ToBeHiddenAsync();
        await page.SetInputFilesAsync("#file-input", TestData.Photo("rocket.jpg"));
        await Assertions.Expect(page.Locator(".result-card .name").First).ToHaveTextAsync("rocket.jpg");
        // Thumbnails come through the key (fetched, shown from blob URLs): every one of them is drawn.
        var firstImage = page.Locator(".result-card img").First;
        await Assertions.Expect(firstImage).ToHaveAttributeAsync("src", new System.Text.RegularExpressions.Regex("^blob:"));
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('.result-card img')].every(i => i.complete && i.naturalWidth > 0)");
        Assert.Empty(blocked);

        // "Forget the API key" drops it: the page asks again.
        await page.ClickAsync("#key-forget");
        await Assertions.Expect(page.Locator("#key-form")).ToBeVisibleAsync();
    }
}
