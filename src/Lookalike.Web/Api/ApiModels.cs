using Lookalike.Collections;
using Lookalike.Indexes;

namespace Lookalike.Web.Api;

/// <summary>The answer to a search.</summary>
/// <param name="Results">The most similar images, best first.</param>
/// <param name="Stats">What the search cost.</param>
public sealed record SearchResult(IReadOnlyList<SearchResultItem> Results, SearchResultStats Stats)
{
    internal static SearchResult From(SearchResponse response, long collectionSize, TimeSpan total) => new(
        [.. response.Hits.Select(SearchResultItem.From)],
        new SearchResultStats(response.Metric.Name(), response.IndexSpec, response.Stats.CandidatesVisited,
            response.Stats.DistancesComputed, collectionSize,
            collectionSize == 0 ? 0 : 100.0 * response.Stats.CandidatesVisited / collectionSize,
            response.Elapsed.TotalMilliseconds, total.TotalMilliseconds, response.FilteredOut, response.BelowCutOff, response.FilterLimit));
}

/// <summary>Where an image and its thumbnail are served (the routes of <c>ImageEndpoints</c>).</summary>
internal static class ImageUrls
{
    public static string Original(long id) => $"/api/images/{id}";

    public static string Thumbnail(long id) => $"/api/images/{id}/thumbnail";
}

/// <summary>One similar image.</summary>
/// <param name="Rank">1-based rank.</param>
/// <param name="Id">The image's id in the collection.</param>
/// <param name="Distance">Distance to the query under <see cref="SearchResultStats.Metric"/>.</param>
/// <param name="Similarity">Cosine similarity to the query.</param>
/// <param name="Path">Where the image was indexed from.</param>
/// <param name="FileName">The file's name.</param>
/// <param name="Label">Class label, when known.</param>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="ImageUrl">URL of the original image.</param>
/// <param name="ThumbnailUrl">URL of its thumbnail.</param>
public sealed record SearchResultItem(int Rank, long Id, float Distance, float Similarity, string Path, string FileName,
    string? Label, int Width, int Height, string ImageUrl, string ThumbnailUrl)
{
    internal static SearchResultItem From(SearchHit hit) => new(hit.Rank, hit.Image.Id, hit.Distance, hit.Similarity, hit.Image.Path,
        System.IO.Path.GetFileName(hit.Image.Path), hit.Image.Label, hit.Image.Width, hit.Image.Height,
        ImageUrls.Original(hit.Image.Id), ImageUrls.Thumbnail(hit.Image.Id));
}

/// <summary>What a search cost.</summary>
/// <param name="Metric">Distance metric.</param>
/// <param name="Index">Index spec that answered.</param>
/// <param name="Visited">Candidates the index looked at.</param>
/// <param name="Distances">Distances it computed.</param>
/// <param name="CollectionSize">Images in the collection.</param>
/// <param name="VisitedPercent">Visited candidates as a percentage of the collection.</param>
/// <param name="IndexMilliseconds">Time spent in the index.</param>
/// <param name="TotalMilliseconds">Time for the whole request (decoding and the network included).</param>
/// <param name="FilteredOut">Candidates the filter kept out.</param>
/// <param name="BelowCutOff">Results dropped by minSimilarity or maxDistance.</param>
/// <param name="FilterLimit">How the filter was limited when it could not be applied inside the index walk (null when it was).</param>
public sealed record SearchResultStats(string Metric, string Index, long Visited, long Distances, long CollectionSize,
    double VisitedPercent, double IndexMilliseconds, double TotalMilliseconds, long FilteredOut, int BelowCutOff, string? FilterLimit);

/// <summary>What the server searches.</summary>
/// <param name="Count">Images in the collection.</param>
/// <param name="Metric">Default metric.</param>
/// <param name="ExactIndex">Index of the "exact" choice.</param>
/// <param name="ApproximateIndex">Index of the "approximate" choice.</param>
/// <param name="Model">Model id.</param>
/// <param name="ModelSha256">SHA-256 of the model file.</param>
/// <param name="Dimension">Feature dimension.</param>
/// <param name="UploadsAllowed">Whether POST /api/images adds to the collection.</param>
/// <param name="MaxK">Largest k accepted.</param>
/// <param name="MaxUploadBytes">Largest upload accepted.</param>
/// <param name="MaxPixels">Largest image accepted, in pixels.</param>
public sealed record CollectionSummary(long Count, string Metric, string ExactIndex, string ApproximateIndex, string Model,
    string ModelSha256, int Dimension, bool UploadsAllowed, int MaxK, long MaxUploadBytes, long MaxPixels);

/// <summary>What the last (or current) <c>lookalike index</c> run of the collection reported.</summary>
/// <param name="Running">Whether it is going on now.</param>
/// <param name="Stage">Its stage ("Indexing", then the saved indexes), or null when no run reported.</param>
/// <param name="Completed">Items of the stage done.</param>
/// <param name="Total">Items of the stage, when known.</param>
/// <param name="Folder">The folder it indexes.</param>
/// <param name="StartedAt">When it began.</param>
/// <param name="UpdatedAt">When it last reported.</param>
/// <param name="Searchable">Images this server searches now.</param>
public sealed record IndexingProgress(bool Running, string? Stage, long Completed, long? Total, string? Folder, DateTimeOffset? StartedAt,
    DateTimeOffset? UpdatedAt, long Searchable);

/// <summary>One page of the collection, in id order.</summary>
/// <param name="Total">Images matching the label filter.</param>
/// <param name="Offset">Index of the first item in the matching images.</param>
/// <param name="Limit">Most items on a page.</param>
/// <param name="Items">The images of this page.</param>
/// <param name="Labels">Every label of the collection with its count, most frequent first.</param>
public sealed record ImagePage(long Total, int Offset, int Limit, IReadOnlyList<ImageItem> Items, IReadOnlyList<LabelCount> Labels);

/// <summary>An image of the collection.</summary>
/// <param name="Id">Its id.</param>
/// <param name="Path">Where it was indexed from.</param>
/// <param name="FileName">The file's name.</param>
/// <param name="Label">Its label, when known.</param>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="Bytes">File size.</param>
/// <param name="AddedAt">When it was added.</param>
/// <param name="ImageUrl">URL of the original.</param>
/// <param name="ThumbnailUrl">URL of its thumbnail.</param>
public sealed record ImageItem(long Id, string Path, string FileName, string? Label, int Width, int Height, long Bytes, DateTimeOffset AddedAt,
    string ImageUrl, string ThumbnailUrl)
{
    internal static ImageItem From(ImageRecord image) => new(image.Id, image.Path, System.IO.Path.GetFileName(image.Path), image.Label,
        image.Width, image.Height, image.Bytes, image.AddedAt, ImageUrls.Original(image.Id), ImageUrls.Thumbnail(image.Id));
}

/// <summary>A label and how many images carry it.</summary>
/// <param name="Label">The label.</param>
/// <param name="Count">Images with it.</param>
public sealed record LabelCount(string Label, long Count);

/// <summary>Duplicate groups of the collection at one threshold.</summary>
/// <param name="Threshold">Cosine similarity of near-duplicates.</param>
/// <param name="Index">The index that found the neighbours.</param>
/// <param name="Images">Images looked at.</param>
/// <param name="Redundant">Files besides the keepers.</param>
/// <param name="Seconds">Time it took.</param>
/// <param name="Groups">Identical files first, then near-duplicates; keeper first in each.</param>
public sealed record DuplicateGroups(float Threshold, string? Index, long Images, int Redundant, double Seconds, IReadOnlyList<DuplicateGroupItem> Groups);

/// <summary>One group of copies.</summary>
/// <param name="Kind">"exact" (identical files) or "near".</param>
/// <param name="Members">The files, the suggested keeper first.</param>
public sealed record DuplicateGroupItem(string Kind, IReadOnlyList<DuplicateMemberItem> Members);

/// <summary>A file of a duplicate group.</summary>
/// <param name="Id">The image holding its content.</param>
/// <param name="Path">The file.</param>
/// <param name="FileName">Its name.</param>
/// <param name="Label">Its image's label.</param>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="Bytes">File size.</param>
/// <param name="Similarity">Cosine similarity to the keeper.</param>
/// <param name="Keeper">Whether it is the suggested keeper.</param>
/// <param name="ThumbnailUrl">URL of its thumbnail.</param>
public sealed record DuplicateMemberItem(long Id, string Path, string FileName, string? Label, int Width, int Height, long Bytes, float Similarity,
    bool Keeper, string ThumbnailUrl);

/// <summary>What the model sees in an image: its classifier's most probable classes.</summary>
/// <param name="Labels">Most probable first.</param>
public sealed record SeenLabels(IReadOnlyList<SeenLabel> Labels);

/// <summary>One class the classifier sees.</summary>
/// <param name="Label">Class name.</param>
/// <param name="Probability">Its probability.</param>
public sealed record SeenLabel(string Label, float Probability);

/// <summary>An image added through the API.</summary>
/// <param name="Id">Its id.</param>
/// <param name="Added">False when the same content was already in the collection.</param>
/// <param name="Path">Where it is stored.</param>
public sealed record AddedImage(long Id, bool Added, string Path);

/// <summary>The multipart form of <c>POST /api/search</c> (documentation only; the server reads the form itself).</summary>
public sealed class SearchForm
{
    /// <summary>The query image (JPEG, PNG, GIF, BMP or WebP).</summary>
    [System.ComponentModel.DataAnnotations.Required]
    public Microsoft.AspNetCore.Http.IFormFile Image { get; set; } = null!;

    /// <summary>Number of results, 1 to the server's maximum (default 10).</summary>
    public int? K { get; set; }

    /// <summary>l2 or cosine (default: the collection's).</summary>
    public string? Metric { get; set; }

    /// <summary>exact (default) or approximate.</summary>
    public string? Index { get; set; }

    /// <summary>Only images with this label (repeat the field for several).</summary>
    public string[]? Label { get; set; }

    /// <summary>Only images whose path starts with this.</summary>
    public string? PathPrefix { get; set; }

    /// <summary>Only images added at or after this instant (ISO 8601).</summary>
    public string? AddedAfter { get; set; }

    /// <summary>Only images added before this instant (ISO 8601).</summary>
    public string? AddedBefore { get; set; }

    /// <summary>Drop results less cosine similar than this (−1..1).</summary>
    public float? MinSimilarity { get; set; }

    /// <summary>Drop results farther than this under the search's metric.</summary>
    public float? MaxDistance { get; set; }

    /// <summary>Search with this region of the image only: "x,y,width,height" in its pixels (after EXIF orientation).</summary>
    public string? Crop { get; set; }
}

/// <summary>The search fields of a request, as sent (checked by the server): from the query string or the upload form.</summary>
public sealed class SearchQuery
{
    /// <summary>Number of results, 1 to the server's maximum (default 10).</summary>
    [Microsoft.AspNetCore.Mvc.FromQuery(Name = "k")] public string? K { get; set; }

    /// <summary>l2 or cosine (default: the collection's).</summary>
    [Microsoft.AspNetCore.Mvc.FromQuery(Name = "metric")] public string? Metric { get; set; }

    /// <summary>exact (default) or approximate.</summary>
    [Microsoft.AspNetCore.Mvc.FromQuery(Name = "index")] public string? Index { get; set; }

    /// <summary>Only images with this label (repeat for several).</summary>
    [Microsoft.AspNetCore.Mvc.FromQuery(Name = "label")] public string[]? Label { get; set; }

    /// <summary>Only images whose path starts with this.</summary>
    [Microsoft.AspNetCore.Mvc.FromQuery(Name = "pathPrefix")] public string? PathPrefix { get; set; }

    /// <summary>Only images added at or after this instant (ISO 8601).</summary>
    [Microsoft.AspNetCore.Mvc.FromQuery(Name = "addedAfter")] public string? AddedAfter { get; set; }

    /// <summary>Only images added before this instant (ISO 8601).</summary>
    [Microsoft.AspNetCore.Mvc.FromQuery(Name = "addedBefore")] public string? AddedBefore { get; set; }

    /// <summary>Drop results less cosine similar than this (−1..1).</summary>
    [Microsoft.AspNetCore.Mvc.FromQuery(Name = "minSimilarity")] public string? MinSimilarity { get; set; }

    /// <summary>Drop results farther than this under the search's metric.</summary>
    [Microsoft.AspNetCore.Mvc.FromQuery(Name = "maxDistance")] public string? MaxDistance { get; set; }

    /// <summary>The same fields from an upload form.</summary>
    internal static SearchQuery FromForm(Microsoft.AspNetCore.Http.IFormCollection form) => new()
    {
        K = form["k"],
        Metric = form["metric"],
        Index = form["index"],
        Label = [.. form["label"].OfType<string>()],
        PathPrefix = form["pathPrefix"],
        AddedAfter = form["addedAfter"],
        AddedBefore = form["addedBefore"],
        MinSimilarity = form["minSimilarity"],
        MaxDistance = form["maxDistance"],
    };
}
