using System.Runtime.CompilerServices;
using Lookalike.Errors;
using Lookalike.Indexes;
using Lookalike.Progress;

namespace Lookalike.Collections;

/// <summary>How a store builds an index over its vectors and brings one up to date: the steps every store shares.</summary>
public static class IndexFilling
{
    private const int Batch = 1024;

    /// <summary>
    /// A new index over <paramref name="vectors"/>, trained where it must be (on <paramref name="training"/>,
    /// every live vector) and filled with <paramref name="liveIds"/>.
    /// </summary>
    /// <exception cref="LookalikeException">when it must be trained and there is nothing to train on.</exception>
    public static IVectorIndex Build(IndexRegistry registry, int dimension, DistanceMetric metric, string spec, IVectorSource vectors,
        IReadOnlyCollection<long> liveIds, Func<float[]> training, string location, IProgress<ProgressUpdate>? progress)
    {
        var index = registry.Create(dimension, spec, metric, vectors);
        try
        {
            if (!index.IsTrained)
            {
                if (liveIds.Count == 0) throw new LookalikeException($"Index {index.Spec} must be trained, and collection '{location}' is empty.");
                progress?.Report(new ProgressUpdate($"Training {index.Spec}", 0, liveIds.Count));
                index.Train(training());
            }
            Add(index, vectors, liveIds, $"Adding to {index.Spec}", progress);
            return index;
        }
        catch
        {
            index.Dispose();
            throw;
        }
    }

    /// <summary>Adds the vectors of <paramref name="ids"/> to <paramref name="index"/> in batches, with progress under <paramref name="stage"/>.</summary>
    public static void Add(IVectorIndex index, IVectorSource vectors, IReadOnlyCollection<long> ids, string stage,
        IProgress<ProgressUpdate>? progress)
    {
        if (ids.Count == 0) return;
        int dimension = vectors.Dimension;
        var rows = new float[Batch * dimension];
        var batchIds = new long[Batch];
        int filled = 0;
        long done = 0;
        foreach (long id in ids)
        {
            vectors.Vector(id).CopyTo(rows.AsSpan(filled * dimension, dimension));
            batchIds[filled++] = id;
            done++;
            if (filled < Batch) continue;
            index.Add(rows, batchIds);
            filled = 0;
            progress?.Report(new ProgressUpdate(stage, done, ids.Count));
        }
        if (filled > 0) index.Add(rows.AsSpan(0, filled * dimension), batchIds.AsSpan(0, filled));
        progress?.Report(new ProgressUpdate(stage, ids.Count, ids.Count));
    }

    /// <summary>The stage name of bringing a saved index up to date.</summary>
    public static string UpdateStage(IVectorIndex index) => $"Bringing {index.Spec} up to date";

    /// <summary>
    /// Runs a search of <paramref name="index"/> and turns ids into hits: distance, cosine similarity
    /// (from the stored vector under L2) and the image <paramref name="imageOf"/> gives.
    /// </summary>
    public static SearchResponse Search(IVectorIndex index, ReadOnlySpan<float> query, SearchOptions options, DistanceMetric metric,
        IVectorSource vectors, Func<long, ImageRecord> imageOf)
    {
        int k = (int)Math.Min(options.K, Math.Max(1, index.Count));
        var distances = new float[k];
        var ids = new long[k];
        var rejected = new StrongBox<long>();
        var parameters = WithImageFilter(options, imageOf, rejected);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var stats = index.Search(query, k, distances, ids, parameters);
        var elapsed = clock.Elapsed;
        var hits = new List<SearchHit>(k);
        int belowCutOff = 0;
        for (int i = 0; i < k && ids[i] >= 0; i++)
        {
            float similarity = Similarity.Of(metric, distances[i], query, vectors.Vector(ids[i]));
            var hit = new SearchHit(hits.Count + 1, imageOf(ids[i]), distances[i], similarity);
            if (options.PassesCutOffs(hit)) hits.Add(hit);
            else belowCutOff++;
        }
        return new SearchResponse(hits, metric, index.Spec, stats, elapsed) { FilteredOut = rejected.Value, BelowCutOff = belowCutOff };
    }

    /// <summary>
    /// The search parameters with <see cref="SearchOptions.Filter"/> turned into an index filter over ids (on top of
    /// any filter the parameters had), counting what it keeps out into <paramref name="rejected"/>.
    /// </summary>
    private static SearchParameters? WithImageFilter(SearchOptions options, Func<long, ImageRecord> imageOf, StrongBox<long> rejected)
    {
        if (options.Filter is not { IsEmpty: false } filter) return options.Parameters;
        var inner = options.Parameters?.Filter;
        var combined = SearchFilter.Where(id =>
        {
            if ((inner is null || inner.Allows(id)) && filter.Matches(imageOf(id))) return true;
            Interlocked.Increment(ref rejected.Value);
            return false;
        });
        return (options.Parameters ?? new SearchParameters()).WithFilter(combined);
    }

    /// <summary>Throws unless <paramref name="query"/> and <paramref name="options"/> fit a collection of <paramref name="dimension"/>-d vectors.</summary>
    /// <exception cref="LookalikeException">for a query of another dimension or k outside 1..<see cref="SearchOptions.MaxK"/>.</exception>
    public static void CheckQuery(ReadOnlySpan<float> query, SearchOptions options, int dimension, string location, string modelId)
    {
        if (query.Length != dimension)
            throw new LookalikeException($"Query has {query.Length} dimensions; collection '{location}' holds {dimension}-d vectors of model {modelId}.");
        if (options.K is < 1 or > SearchOptions.MaxK) throw new LookalikeException($"k must be between 1 and {SearchOptions.MaxK} (was {options.K}).");
        options.Filter?.Validate();
        if (options.MinSimilarity is { } similarity && !(similarity is >= -1f and <= 1f))
            throw new LookalikeException($"minSimilarity must be between -1 and 1 (was {similarity}).");
        if (options.MaxDistance is { } distance && !(distance >= 0f))
            throw new LookalikeException($"maxDistance must be 0 or more (was {distance}).");
    }
}
