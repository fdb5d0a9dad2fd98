using Lookalike.Collections;
using Lookalike.Indexes;
using Lookalike.Storage.Postgres;
using Lookalike.Tests.Common;

namespace Lookalike.Storage.Postgres.Tests;

/// <summary>The PostgreSQL store passes the collection contract.</summary>
public sealed class PostgresConformanceTests : ImageCollectionConformanceTests
{
    private static int _next;

    protected override ICollectionProvider Provider { get; } = new PostgresCollectionProvider(IndexRegistry.Builtin);

    protected override string NewLocation()
    {
        Skip.If(TemporaryPostgres.Unavailable is not null, TemporaryPostgres.Unavailable);
        return TemporaryPostgres.Shared.Location($"conformance_{Environment.ProcessId}_{Interlocked.Increment(ref _next)}");
    }
}
