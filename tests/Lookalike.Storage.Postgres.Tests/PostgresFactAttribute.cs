using Lookalike.Tests.Common;

namespace Lookalike.Storage.Postgres.Tests;

/// <summary>A fact that needs a PostgreSQL server (started by <see cref="TemporaryPostgres"/>); skipped, saying why, when none is installed.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (TemporaryPostgres.Unavailable is { } reason) Skip = reason;
    }
}
