using System.Globalization;
using Lookalike.Collections;
using Lookalike.Duplicates;
using Lookalike.Errors;
using Lookalike.IO;
using Lookalike.Web.Api;
using Lookalike.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Lookalike.Web.Endpoints;

/// <summary><c>GET /api/images</c> (the collection, a page at a time) and <c>GET /api/duplicates</c> (its copies at a threshold).</summary>
internal static class BrowseEndpoints
{
    /// <summary>The most images on one page.</summary>
    public const int MaxLimit = 500;

    /// <summary>One duplicate search at a time: each is a search per image.</summary>
    private static readonly SemaphoreSlim DuplicateSearches = new(1, 1);

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/images", PageAsync).WithTags("Images").WithName("ListImages")
            .WithSummary("The collection's images in id order, a page at a time, optionally of one label.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        app.MapGet("/api/duplicates", DuplicatesAsync).WithTags("Collection").WithName("GetDuplicates")
            .WithSummary("Groups of identical files and of near-duplicates (cosine ≥ threshold), a suggested keeper first in each.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
    }

    private static async Task<Ok<ImagePage>> PageAsync(CollectionHost host, [FromQuery] string? offset, [FromQuery] string? limit,
        [FromQuery] string? label, CancellationToken cancellationToken)
    {
        int from = Whole(offset, "offset", 0, int.MaxValue, 0);
        int size = Whole(limit, "limit", 1, MaxLimit, 60);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var items = new List<ImageItem>(size);
        long total = 0;
        await foreach (var image in host.Collection.ListAsync(cancellationToken))
        {
            if (image.Label is { } l) counts[l] = counts.GetValueOrDefault(l) + 1;
            if (!string.IsNullOrEmpty(label) && image.Label != label) continue;
            if (total++ >= from && items.Count < size) items.Add(ImageItem.From(image));
        }
        var labels = counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Select(c => new LabelCount(c.Key, c.Value)).ToList();
        return TypedResults.Ok(new ImagePage(total, from, size, items, labels));
    }

    private static async Task<Ok<DuplicateGroups>> DuplicatesAsync(CollectionHost host, [FromQuery] string? threshold, CancellationToken cancellationToken)
    {
        float cut = DuplicateOptions.DefaultThreshold;
        if (!string.IsNullOrWhiteSpace(threshold)
            && (!float.TryParse(threshold, NumberStyles.Float, CultureInfo.InvariantCulture, out cut) || !(cut is > 0f and <= 1f)))
        {
            throw new RequestProblemException(StatusCodes.Status400BadRequest, "Bad threshold",
                $"threshold must be a cosine similarity in (0, 1] (was '{LineText.Short(threshold)}').");
        }
        await DuplicateSearches.WaitAsync(cancellationToken);
        try
        {
            var report = await Task.Run(() => DuplicateFinder.FindAsync(host.Collection, new DuplicateOptions(cut, IndexSpec: host.ApproximateIndex),
                cancellationToken: cancellationToken), cancellationToken);
            return TypedResults.Ok(new DuplicateGroups(cut, report.IndexSpec, report.Images, report.Redundant, report.Elapsed.TotalSeconds,
            [
                .. report.Groups.Select(g => new DuplicateGroupItem(g.Kind == DuplicateKind.Exact ? "exact" : "near", [
                    .. g.Members.Select(m => new DuplicateMemberItem(m.ImageId, m.Path, Path.GetFileName(m.Path), m.Label, m.Width, m.Height, m.Bytes,
                        m.Similarity, ReferenceEquals(m, g.Keeper), ImageUrls.Thumbnail(m.ImageId))),
                ])),
            ]));
        }
        finally
        {
            DuplicateSearches.Release();
        }
    }

    private static int Whole(string? text, string name, int min, int max, int otherwise)
    {
        if (string.IsNullOrWhiteSpace(text)) return otherwise;
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max) return value;
        throw new RequestProblemException(StatusCodes.Status400BadRequest, $"Bad {name}",
            $"{name} must be a whole number from {min} to {max} (was '{LineText.Short(text)}').");
    }
}
