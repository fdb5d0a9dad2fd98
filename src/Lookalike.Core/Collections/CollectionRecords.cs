using Lookalike.Indexes;

namespace Lookalike.Collections;

/// <summary>One image of a collection. The id is its identity; the path is only where it was found.</summary>
/// <param name="Id">64-bit id assigned by the collection.</param>
/// <param name="Path">Full path of the file it was indexed from.</param>
/// <param name="Sha256">SHA-256 of the file bytes (lower-case hex): adding the same content twice is a no-op.</param>
/// <param name="Label">Class label (e.g. the parent folder's name), when known.</param>
/// <param name="Bytes">File size.</param>
/// <param name="Width">Pixel width after EXIF orientation.</param>
/// <param name="Height">Pixel height after EXIF orientation.</param>
/// <param name="AddedAt">When it was added.</param>
public sealed record ImageRecord(long Id, string Path, string Sha256, string? Label, long Bytes, int Width, int Height,
    DateTimeOffset AddedAt);

/// <summary>An image to add, with its feature vector.</summary>
/// <param name="Path">Full path (or upload name).</param>
/// <param name="Sha256">SHA-256 of the file bytes (lower-case hex).</param>
/// <param name="Label">Class label, when known.</param>
/// <param name="Bytes">File size.</param>
/// <param name="Width">Pixel width.</param>
/// <param name="Height">Pixel height.</param>
/// <param name="Features">Feature vector of the collection's dimension.</param>
public sealed record NewImage(string Path, string Sha256, string? Label, long Bytes, int Width, int Height, float[] Features);

/// <summary>The model whose features a collection holds.</summary>
/// <param name="Id">Model name.</param>
/// <param name="Sha256">SHA-256 of the model file.</param>
/// <param name="Path">Where the model file was when the collection was made.</param>
/// <param name="Dimension">Feature dimension.</param>
/// <param name="Preprocessing">Preprocessing description.</param>
/// <param name="Head">The fine-tuned head applied after the model (a head file), when there is one.</param>
/// <param name="Description">How to rebuild the extractor (absent in collections made before it was recorded).</param>
public sealed record ModelReference(string Id, string Sha256, string Path, int Dimension, string Preprocessing, string? Head = null,
    Features.ModelDescription? Description = null)
{
    /// <summary>
    /// Why features of <paramref name="other"/> may not be mixed with these, or null when they may:
    /// another model file or dimension, or (where both are described) other preprocessing or head.
    /// </summary>
    public string? MismatchWith(ModelReference other)
    {
        if (!string.Equals(Sha256, other.Sha256, StringComparison.OrdinalIgnoreCase) || Dimension != other.Dimension)
            return $"model {Id} (sha256 {Sha256[..Math.Min(12, Sha256.Length)]}…, {Dimension}-d) vs {other.Id} (sha256 {other.Sha256[..Math.Min(12, other.Sha256.Length)]}…, {other.Dimension}-d)";
        if (Description is null || other.Description is null) return null;
        var differences = Description.DifferencesFrom(other.Description);
        return differences.Count == 0 ? null : string.Join("; ", differences);
    }
}

/// <summary>Summary of a collection.</summary>
/// <param name="Location">Folder or connection it lives in.</param>
/// <param name="Count">Live images.</param>
/// <param name="Model">The model of its features.</param>
/// <param name="Metric">Default metric.</param>
/// <param name="IndexSpec">Index spec used for searches.</param>
/// <param name="SizeOnDisk">Bytes used on disk.</param>
/// <param name="Indexes">Indexes saved with the collection.</param>
public sealed record CollectionInfo(string Location, long Count, ModelReference Model, DistanceMetric Metric, string IndexSpec,
    long SizeOnDisk, IReadOnlyList<PersistedIndex> Indexes)
{
    /// <summary>
    /// The index for searches that need not be exact: the default index unless it is Flat, else the first saved
    /// non-Flat index of the default metric, else <see cref="Lookalike.Indexes.HnswOptions.DefaultSpec"/>.
    /// </summary>
    public string ApproximateIndexSpec() =>
        (Flat.IsSpec(IndexSpec) ? null : IndexSpec)
        ?? Indexes.FirstOrDefault(i => i.Metric == Metric.Name() && !Flat.IsSpec(i.Spec))?.Spec
        ?? Lookalike.Indexes.HnswOptions.DefaultSpec;
}

/// <summary>What the indexer remembers of a file so that an unchanged file is not read again.</summary>
/// <param name="Size">File size in bytes.</param>
/// <param name="LastWriteTicks">Last write time (UTC ticks).</param>
/// <param name="Sha256">Content hash at that time.</param>
public sealed record FileState(long Size, long LastWriteTicks, string Sha256);

/// <summary>How to search a collection.</summary>
/// <param name="K">Number of results wanted (≥ 1).</param>
/// <param name="Metric">Metric, or null for the collection's default.</param>
/// <param name="IndexSpec">Index spec, or null for the collection's index.</param>
/// <param name="Parameters">Index-specific search parameters.</param>
public sealed record SearchOptions(int K = 10, DistanceMetric? Metric = null, string? IndexSpec = null,
    SearchParameters? Parameters = null)
{
    /// <summary>The most results one search may ask for (and the largest cut-off of an evaluation), in every front end.</summary>
    public const int MaxK = 10_000;

    /// <summary>Which images may be returned, applied inside the index walk (every image when null).</summary>
    public ImageFilter? Filter { get; init; }

    /// <summary>Results less cosine similar to the query than this are dropped (none when null).</summary>
    public float? MinSimilarity { get; init; }

    /// <summary>Results farther from the query than this, under the search's metric, are dropped (none when null).</summary>
    public float? MaxDistance { get; init; }

    /// <summary>Whether <paramref name="hit"/> passes <see cref="MinSimilarity"/> and <see cref="MaxDistance"/>.</summary>
    public bool PassesCutOffs(SearchHit hit) => !(hit.Similarity < MinSimilarity) && !(hit.Distance > MaxDistance);
}

/// <summary>One result of a search.</summary>
/// <param name="Rank">1-based rank.</param>
/// <param name="Image">The matching image.</param>
/// <param name="Distance">Distance under <see cref="SearchResponse.Metric"/>, never below 0.</param>
/// <param name="Similarity">Cosine similarity to the query, within [−1, 1].</param>
/// <remarks>Rounding in the float arithmetic can put an identical image at −0.0000001 or 1.0000001; both are clamped.</remarks>
public sealed record SearchHit(int Rank, ImageRecord Image, float Distance, float Similarity)
{
    /// <summary>Distance under <see cref="SearchResponse.Metric"/>, never below 0 (and never −0).</summary>
    public float Distance { get; init; } = Distance > 0 ? Distance : 0f;

    /// <summary>Cosine similarity to the query, within [−1, 1].</summary>
    public float Similarity { get; init; } = Math.Clamp(Similarity, -1f, 1f);
}

/// <summary>The results of a search and what it cost.</summary>
/// <param name="Hits">Results, best first.</param>
/// <param name="Metric">Metric of the distances.</param>
/// <param name="IndexSpec">Index that answered.</param>
/// <param name="Stats">Candidates visited and distances computed.</param>
/// <param name="Elapsed">Time spent in the index.</param>
public sealed record SearchResponse(IReadOnlyList<SearchHit> Hits, DistanceMetric Metric, string IndexSpec, SearchStats Stats,
    TimeSpan Elapsed)
{
    /// <summary>
    /// Candidates the search's <see cref="SearchOptions.Filter"/> kept out of the results: those the index would have ranked
    /// otherwise (how many depends on the index and the order it meets them; 0 without a filter).
    /// </summary>
    public long FilteredOut { get; init; }

    /// <summary>Results dropped by <see cref="SearchOptions.MinSimilarity"/> or <see cref="SearchOptions.MaxDistance"/>.</summary>
    public int BelowCutOff { get; init; }

    /// <summary>
    /// How the filter was applied when it could not be inside the index walk (e.g. "on each shard's best 100"): fewer
    /// than k results may then come back although more matching images exist. Null when it was applied inside the walk.
    /// </summary>
    public string? FilterLimit { get; init; }
}
