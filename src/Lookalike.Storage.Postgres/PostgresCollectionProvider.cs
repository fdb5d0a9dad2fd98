using Lookalike.Collections;
using Lookalike.Indexes;

namespace Lookalike.Storage.Postgres;

/// <summary>
/// The PostgreSQL store: a location is <c>postgres://user@host:port/db?collection=NAME</c> or an Npgsql
/// connection string with <c>Collection=NAME</c>.
/// </summary>
/// <param name="indexes">The index types its specs may name.</param>
public sealed class PostgresCollectionProvider(IndexRegistry indexes) : ICollectionProvider
{
    /// <summary>Opens part of the collection at <paramref name="location"/>: its records only, or one shard (for reading).</summary>
    public async ValueTask<PostgresCollection> OpenViewAsync(string location, PostgresView view, CollectionAccess access = CollectionAccess.Read,
        NewCollection? creation = null, CancellationToken cancellationToken = default)
    {
        var parsed = PostgresLocation.Parse(location);
        return await Task.Run(() => PostgresCollection.Open(parsed, indexes, access, access == CollectionAccess.WriteOrCreate ? creation : null, view),
            cancellationToken);
    }

    /// <inheritdoc/>
    public bool Handles(string location) => PostgresLocation.IsPostgres(location);

    /// <inheritdoc/>
    public ModelReference? ReadModel(string location) => PostgresCollection.ReadModel(PostgresLocation.Parse(location));

    /// <inheritdoc/>
    public async ValueTask<ImageCollection> OpenAsync(string location, CollectionAccess access, NewCollection? creation = null,
        CancellationToken cancellationToken = default)
    {
        var parsed = PostgresLocation.Parse(location);
        // Opening loads every live vector: off the caller's thread.
        return await Task.Run(() => PostgresCollection.Open(parsed, indexes, access, access == CollectionAccess.WriteOrCreate ? creation : null),
            cancellationToken);
    }
}
