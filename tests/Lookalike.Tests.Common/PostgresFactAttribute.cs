namespace Lookalike.Tests.Common;

/// <summary>
/// A fact that needs a PostgreSQL server (started by <see cref="TemporaryPostgres"/>); skipped, saying
/// why, when PostgreSQL is not installed. With <see cref="WithSharedData"/> it needs the shared model and
/// images too (as <see cref="SharedDataFactAttribute"/>).
/// </summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (TemporaryPostgres.Unavailable is { } reason) Skip = reason;
    }

    /// <summary>Whether the test needs the shared model and images.</summary>
    public bool WithSharedData
    {
        get => false;
        init
        {
            if (value && Skip is null && !TestData.SharedDataPresent && !TestData.InCi)
                Skip = $"Shared test data not found at {TestData.SharedDir} (set LOOKALIKE_SHARED).";
        }
    }
}
