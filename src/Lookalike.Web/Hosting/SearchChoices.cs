using System.Globalization;
using Lookalike.Collections;
using Lookalike.Errors;
using Lookalike.Indexes;
using Lookalike.IO;
using Lookalike.Web.Api;
using Microsoft.AspNetCore.Http;

namespace Lookalike.Web.Hosting;

/// <summary>Turns a request's search fields (k, metric, index, filters, cut-offs) into search options, or a 400.</summary>
internal static class SearchChoices
{
    public const string Exact = "exact";
    public const string Approximate = "approximate";

    public static SearchOptions Parse(CollectionHost host, SearchQuery query)
    {
        int count = 10;
        if (!string.IsNullOrWhiteSpace(query.K) &&
            (!int.TryParse(query.K, NumberStyles.Integer, CultureInfo.InvariantCulture, out count) || count < 1 || count > host.Options.MaxK))
        {
            throw BadRequest("k out of range", $"k must be a whole number from 1 to {host.Options.MaxK} (was '{LineText.Short(query.K)}').");
        }
        DistanceMetric? chosenMetric = null;
        if (!string.IsNullOrWhiteSpace(query.Metric))
        {
            try
            {
                chosenMetric = DistanceMetrics.Parse(query.Metric);
            }
            catch (LookalikeException)
            {
                throw BadRequest("Unknown metric", $"metric must be 'l2' or 'cosine' (was '{LineText.Short(query.Metric)}').");
            }
        }
        string spec = (query.Index?.Trim().ToLowerInvariant()) switch
        {
            null or "" or Exact => CollectionHost.ExactIndex,
            Approximate => host.ApproximateIndex,
            _ => throw BadRequest("Unknown index", $"index must be '{Exact}' or '{Approximate}' (was '{LineText.Short(query.Index)}')."),
        };
        var filter = FilterOf(query);
        return new SearchOptions(count, chosenMetric, spec)
        {
            Filter = filter.IsEmpty ? null : filter,
            MinSimilarity = Number(query.MinSimilarity, "minSimilarity"),
            MaxDistance = Number(query.MaxDistance, "maxDistance"),
        };
    }

    private static ImageFilter FilterOf(SearchQuery query)
    {
        try
        {
            var labels = query.Label?.Where(l => !string.IsNullOrEmpty(l)).ToArray();
            var filter = new ImageFilter
            {
                Labels = labels is { Length: > 0 } ? labels : null,
                PathPrefix = string.IsNullOrEmpty(query.PathPrefix) ? null : query.PathPrefix,
                AddedAfter = string.IsNullOrWhiteSpace(query.AddedAfter) ? null : ImageFilter.ParseInstant(query.AddedAfter, "addedAfter"),
                AddedBefore = string.IsNullOrWhiteSpace(query.AddedBefore) ? null : ImageFilter.ParseInstant(query.AddedBefore, "addedBefore"),
            };
            filter.Validate();
            return filter;
        }
        catch (LookalikeException e)
        {
            throw BadRequest("Bad filter", LineText.Short(e.Message, 300));
        }
    }

    private static float? Number(string? text, string name)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) && float.IsFinite(value)) return value;
        throw BadRequest($"Bad {name}", $"{name} must be a number (was '{LineText.Short(text)}').");
    }

    private static RequestProblemException BadRequest(string title, string detail) =>
        new(StatusCodes.Status400BadRequest, title, detail);
}
