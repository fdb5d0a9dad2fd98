using Lookalike.Collections;
using Lookalike.Errors;
using Lookalike.Indexes;
using Lookalike.Storage.Postgres;
using Microsoft.Extensions.Options;

namespace Lookalike.Cluster;

/// <summary>
/// Opens the cluster's collection as a <see cref="ShardedCollection"/>: its records from PostgreSQL
/// (without vectors), its searches through the shard grains.
/// </summary>
public sealed class ClusterCollectionProvider(IGrainFactory grains, IOptions<ShardingOptions> options, IndexRegistry indexes) : ICollectionProvider
{
    private readonly PostgresCollectionProvider _store = new(indexes);

    /// <inheritdoc/>
    public bool Handles(string location) => PostgresLocation.IsPostgres(location);

    /// <inheritdoc/>
    public ModelReference? ReadModel(string location) => _store.ReadModel(location);

    /// <inheritdoc/>
    public async ValueTask<ImageCollection> OpenAsync(string location, CollectionAccess access, NewCollection? creation = null,
        CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        if (PostgresLocation.Parse(location).Display != PostgresLocation.Parse(settings.Location).Display)
            throw new LookalikeException($"This cluster serves '{PostgresLocation.Parse(settings.Location)}', not '{PostgresLocation.Parse(location)}'.");
        var records = await _store.OpenViewAsync(location, PostgresView.RecordsOnly, access, creation, cancellationToken);
        return new ShardedCollection(records, grains, settings);
    }
}
