namespace Lookalike.Tests.Common;

/// <summary>The theory form of <see cref="SharedDataFactAttribute"/>: skips without the shared data, never in CI.</summary>
public sealed class SharedDataTheoryAttribute : TheoryAttribute
{
    public SharedDataTheoryAttribute()
    {
        if (!TestData.SharedDataPresent && !TestData.InCi)
            Skip = $"Shared test data not found at {TestData.SharedDir} (set LOOKALIKE_SHARED).";
    }
}
