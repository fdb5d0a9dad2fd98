namespace Lookalike.Tests.Common;

/// <summary>
/// A fact that needs the real model and images of the shared folder. It skips on a machine without
/// them, but never in CI (CI=true), where a missing resource must fail the test.
/// </summary>
public sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute()
    {
        if (!TestData.SharedDataPresent && !TestData.InCi)
            Skip = $"Shared test data not found at {TestData.SharedDir} (set LOOKALIKE_SHARED).";
    }
}
