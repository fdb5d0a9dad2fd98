using System.Diagnostics;
using Lookalike.Collections;
using Lookalike.Errors;
using Lookalike.Indexes;
using Lookalike.Progress;
using Lookalike.Storage.Postgres;

namespace Lookalike.Cluster;

/// <summary>
/// A PostgreSQL collection whose searches are answered by its shards: the query goes to every shard
/// grain at once and their top k are merged (distances compared, <see cref="SearchStats"/> added up).
/// Records, reads and writes go to the collection's records, held here without vectors; shards follow
/// the commits themselves.
/// </summary>
/// <remarks>
/// A shard that does not answer within <see cref="ShardingOptions.ShardTimeout"/> is asked once more (it
/// may be moving to another silo after a failure); when it still does not, the search fails with
/// <see cref="ShardUnavailableException"/> rather than answer from the other shards alone.
/// </remarks>
public sealed class ShardedCollection(PostgresCollection records, IGrainFactory grains, ShardingOptions options) : ImageCollection
{
    /// <summary>How many shards answer a search.</summary>
    public int Shards => options.Shards;

    /// <inheritdoc/>
    public override CollectionInfo Info => records.Info;

    /// <inheritdoc/>
    public override ModelReference Model => records.Model;

    /// <inheritdoc/>
    public override string Location => records.Location;

    /// <inheritdoc/>
    public override long Count => records.Count;

    /// <inheritdoc/>
    public override async ValueTask<SearchResponse> SearchAsync(ReadOnlyMemory<float> query, SearchOptions search,
        CancellationToken cancellationToken = default)
    {
        IndexFilling.CheckQuery(query.Span, search, Model.Dimension, Location, Model.Id);
        // How many threads this process uses is its own affair; what shards would have to honour is not passed.
        if (search.Parameters is { } parameters && (parameters.GetType() != typeof(SearchParameters) || parameters.Filter is not null))
            throw new LookalikeException("Search parameters (id filters, efSearch, probes, threads) are not passed to shards; search without them (image filters are applied).");
        var metric = search.Metric ?? records.DefaultMetric;
        string spec = search.IndexSpec ?? records.DefaultIndexSpec;
        float[] vector = query.ToArray();
        // Shards hold no image records: a filter is applied here, to more than k of each shard's best.
        var filter = search.Filter is { IsEmpty: false } given ? given : null;
        int fetch = filter is null ? search.K : (int)Math.Min(SearchOptions.MaxK, (long)search.K * FilterOverFetch);
        var clock = Stopwatch.StartNew();
        var answers = await Task.WhenAll(Enumerable.Range(0, options.Shards)
            .Select(shard => AskAsync(shard, vector, fetch, metric.Name(), spec, cancellationToken)));
        var elapsed = clock.Elapsed;
        var hits = new List<SearchHit>(search.K);
        long filteredOut = 0;
        int belowCutOff = 0;
        foreach (var hit in answers.SelectMany(a => a.Hits).OrderBy(h => h.Distance).ThenBy(h => h.Id))
        {
            if (hits.Count == search.K) break;
            // An image deleted since the shard answered is left out.
            if (await records.GetAsync(hit.Id, cancellationToken) is not { } image) continue;
            if (filter?.Matches(image) == false)
            {
                filteredOut++;
                continue;
            }
            var found = new SearchHit(hits.Count + 1, image, hit.Distance, hit.Similarity);
            if (search.PassesCutOffs(found)) hits.Add(found);
            else belowCutOff++;
        }
        var stats = new SearchStats(1, answers.Sum(a => a.Visited), answers.Sum(a => a.Distances));
        return new SearchResponse(hits, metric, answers[0].Spec, stats, elapsed)
        {
            FilteredOut = filteredOut,
            BelowCutOff = belowCutOff,
            FilterLimit = filter is null ? null : $"applied to each shard's best {fetch} (k × {FilterOverFetch}, at most {SearchOptions.MaxK})",
        };
    }

    /// <summary>How many times k each shard returns when the coordinator filters.</summary>
    public const int FilterOverFetch = 10;

    private async Task<ShardAnswer> AskAsync(int shard, float[] query, int k, string metric, string spec, CancellationToken cancellationToken)
    {
        var grain = grains.GetGrain<IShardGrain>(shard);
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await grain.SearchAsync(query, k, metric, spec).WaitAsync(options.ShardTimeout, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException && e is not LookalikeException && attempt < 2)
            {
                // The shard may be on a silo that just died: its next activation is on another one.
            }
            catch (Exception e) when (e is not OperationCanceledException && e is not LookalikeException)
            {
                throw new ShardUnavailableException($"Shard {shard} of {options.Shards} of '{Location}' did not answer: {e.Message}", e);
            }
        }
    }

    /// <inheritdoc/>
    public override ValueTask<(long Id, bool Added)> AddAsync(NewImage image, CancellationToken cancellationToken = default) =>
        records.AddAsync(image, cancellationToken);

    /// <inheritdoc/>
    public override ValueTask<ImageRecord?> GetAsync(long id, CancellationToken cancellationToken = default) => records.GetAsync(id, cancellationToken);

    /// <inheritdoc/>
    public override ValueTask<ImageRecord?> FindByHashAsync(string sha256, CancellationToken cancellationToken = default) =>
        records.FindByHashAsync(sha256, cancellationToken);

    /// <inheritdoc/>
    public override ValueTask<float[]?> GetFeaturesAsync(long id, CancellationToken cancellationToken = default) =>
        records.GetFeaturesAsync(id, cancellationToken);

    /// <inheritdoc/>
    public override ValueTask<int> DeleteAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken = default) =>
        records.DeleteAsync(ids, cancellationToken);

    /// <inheritdoc/>
    public override IAsyncEnumerable<ImageRecord> ListAsync(CancellationToken cancellationToken = default) => records.ListAsync(cancellationToken);

    /// <inheritdoc/>
    public override IAsyncEnumerable<(string Path, FileState State)> ListFileStatesAsync(CancellationToken cancellationToken = default) =>
        records.ListFileStatesAsync(cancellationToken);

    /// <inheritdoc/>
    public override ValueTask<FileState?> GetFileStateAsync(string path, CancellationToken cancellationToken = default) =>
        records.GetFileStateAsync(path, cancellationToken);

    /// <inheritdoc/>
    public override ValueTask RecordFileStateAsync(string path, FileState state, CancellationToken cancellationToken = default) =>
        records.RecordFileStateAsync(path, state, cancellationToken);

    /// <inheritdoc/>
    public override ValueTask CommitAsync(CancellationToken cancellationToken = default) => records.CommitAsync(cancellationToken);

    /// <inheritdoc/>
    /// <remarks>Reads every vector from the database (the records held here have none).</remarks>
    public override async ValueTask<(IReadOnlyList<ImageRecord> Images, float[] Vectors)> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        var images = await records.ListAsync(cancellationToken).ToListAsync(cancellationToken);
        var vectors = new float[(long)images.Count * Model.Dimension];
        for (int i = 0; i < images.Count; i++)
            (await records.GetFeaturesAsync(images[i].Id, cancellationToken))?.CopyTo(vectors.AsSpan(i * Model.Dimension, Model.Dimension));
        return (images, vectors);
    }

    /// <inheritdoc/>
    /// <exception cref="LookalikeException">always: shards build and store their own indexes.</exception>
    public override ValueTask<IReadOnlyList<PersistedIndex>> SaveIndexesAsync(IReadOnlyCollection<string> specs, bool rebuild = false,
        IProgress<ProgressUpdate>? progress = null, CancellationToken cancellationToken = default) =>
        throw new LookalikeException("A sharded collection's shards build and store their own indexes; save whole-collection indexes with lookalike index or reindex.");

    /// <inheritdoc/>
    public override bool Refresh() => records.Refresh();

    /// <inheritdoc/>
    public override Task WaitForChangeAsync(TimeSpan timeout, CancellationToken cancellationToken) => records.WaitForChangeAsync(timeout, cancellationToken);

    /// <inheritdoc/>
    public override ValueTask DisposeAsync() => records.DisposeAsync();
}

/// <summary>A shard of a sharded collection did not answer (its silo died and it is not active elsewhere yet).</summary>
public sealed class ShardUnavailableException(string message, Exception inner) : UnavailableException(message, inner);
