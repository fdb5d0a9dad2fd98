using Lookalike.Tests.Common;

namespace Lookalike.Web.BrowserTests;

/// <summary>
/// A fact that drives Debian's Chromium (<c>apt-get install chromium</c>) over the real model. It skips on a
/// machine without them, but never in CI, where a missing browser must fail the test.
/// </summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (TestData.InCi) return;
        if (!TestData.SharedDataPresent) Skip = $"Shared test data not found at {TestData.SharedDir}.";
        else if (!File.Exists(ChromiumPath)) Skip = $"{ChromiumPath} is not installed (apt-get install chromium).";
    }
}
