namespace Lookalike.Tests.Common;

/// <summary>
/// A fact that restores a NuGet package with the .NET SDK and needs the shared data. Skips on a machine
/// without them, but never in CI (CI=true), which reaches the NuGet registry.
/// </summary>
public sealed class DotnetRestoreFactAttribute : FactAttribute
{
    public DotnetRestoreFactAttribute()
    {
        if (TestData.InCi) return;
        if (!TestData.SharedDataPresent) Skip = $"Shared test data not found at {TestData.SharedDir}.";
        else if (!NpmFactAttribute.OnPath("dotnet")) Skip = "The .NET SDK (dotnet) is not on the PATH.";
    }
}
