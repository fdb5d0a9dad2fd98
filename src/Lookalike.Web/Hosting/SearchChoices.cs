using System.Globalization;
using Lookalike.Collections;
using Lookalike.Errors;
using Lookalike.Indexes;
using Lookalike.IO;
using Microsoft.AspNetCore.Http;

namespace Lookalike.Web.Hosting;

/// <summary>Turns the request's <c>k</c>, <c>metric</c> and <c>index</c> fields into search options, or a 400.</summary>
internal static class SearchChoices
{
    public const string Exact = "exact";
    public const string Approximate = "approximate";

    public static SearchOptions Parse(CollectionHost host, string? k, string? metric, string? index)
    {
        int count = 10;
        if (!string.IsNullOrWhiteSpace(k) &&
            (!int.TryParse(k, NumberStyles.Integer, CultureInfo.InvariantCulture, out count) || count < 1 || count > host.Options.MaxK))
        {
            throw BadRequest("k out of range", $"k must be a whole number from 1 to {host.Options.MaxK} (was '{LineText.Short(k)}').");
        }
        DistanceMetric? chosenMetric = null;
        if (!string.IsNullOrWhiteSpace(metric))
        {
            try
            {
                chosenMetric = DistanceMetrics.Parse(metric);
            }
            catch (LookalikeException)
            {
                throw BadRequest("Unknown metric", $"metric must be 'l2' or 'cosine' (was '{LineText.Short(metric)}').");
            }
        }
        string spec = (index?.Trim().ToLowerInvariant()) switch
        {
            null or "" or Exact => CollectionHost.ExactIndex,
            Approximate => host.ApproximateIndex,
            _ => throw BadRequest("Unknown index", $"index must be '{Exact}' or '{Approximate}' (was '{LineText.Short(index)}')."),
        };
        return new SearchOptions(count, chosenMetric, spec);
    }

    private static RequestProblemException BadRequest(string title, string detail) =>
        new(StatusCodes.Status400BadRequest, title, detail);
}
