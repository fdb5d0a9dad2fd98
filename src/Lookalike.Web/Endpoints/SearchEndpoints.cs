using System.Diagnostics;
using Lookalike.Features;
using Lookalike.Web.Api;
using Lookalike.Web.Hosting;
using Lookalike.Web.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Lookalike.Web.Endpoints;

/// <summary><c>POST /api/search</c> (by upload) and <c>POST /api/search/by-id/{id}</c> ("more like this").</summary>
internal static class SearchEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/search").WithTags("Search").RequireRateLimiting(RateLimits.Policy);
        group.MapPost("/", ByUploadAsync)
            .WithName("SearchByImage")
            .WithSummary("The k images most similar to an uploaded image.")
            .Accepts<SearchForm>("multipart/form-data")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapPost("/labels", LabelsAsync)
            .WithName("ClassifyImage")
            .WithSummary("What the model sees: the backbone's five most probable ImageNet classes of an uploaded image (or of its crop).")
            .Accepts<SearchForm>("multipart/form-data")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapPost("/by-id/{id:long}", ByIdAsync)
            .WithName("SearchById")
            .WithSummary("The k images most similar to an image of the collection.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<Ok<SearchResult>> ByUploadAsync(HttpRequest request, CollectionHost host, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var upload = await UploadReader.ReadAsync(request, host, cancellationToken);
        var options = SearchChoices.Parse(host, SearchQuery.FromForm(upload.Form));
        var region = RegionOf(upload.Form["crop"]);
        float[] query = (await host.ExtractAsync(new ImageInput(upload.FileName, upload.Bytes) { Region = region }, cancellationToken)).Features!;
        var response = await host.Collection.SearchAsync(query, options, cancellationToken);
        host.Metrics.Searched(response);
        return TypedResults.Ok(SearchResult.From(response, host.Collection.Count, clock.Elapsed));
    }

    private static async Task<Ok<SeenLabels>> LabelsAsync(HttpRequest request, CollectionHost host, CancellationToken cancellationToken)
    {
        var classifier = host.Classifier ?? throw new RequestProblemException(StatusCodes.Status404NotFound, "No classifier",
            "This server's model has no classifier output with class names beside it (e.g. a fine-tuned head, or another backbone).");
        var upload = await UploadReader.ReadAsync(request, host, cancellationToken);
        var image = new ImageInput(upload.FileName, upload.Bytes) { Region = RegionOf(upload.Form["crop"]) };
        var guesses = await host.ClassifyAsync(classifier, image, 5, cancellationToken);
        return TypedResults.Ok(new SeenLabels([.. guesses.Select(g => new SeenLabel(g.Label, g.Probability))]));
    }

    /// <summary>The <c>crop</c> field ("x,y,w,h"), or null when absent; a 400 when malformed.</summary>
    private static ImageRegion? RegionOf(string? crop)
    {
        if (string.IsNullOrWhiteSpace(crop)) return null;
        try
        {
            return ImageRegion.Parse(crop);
        }
        catch (Errors.LookalikeException e)
        {
            throw new RequestProblemException(StatusCodes.Status400BadRequest, "Bad crop", e.Message);
        }
    }

    private static async Task<Ok<SearchResult>> ByIdAsync(long id, CollectionHost host, [AsParameters] SearchQuery query,
        CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var options = SearchChoices.Parse(host, query);
        var response = await host.Searcher.SearchByIdAsync(id, options, cancellationToken);
        host.Metrics.Searched(response);
        return TypedResults.Ok(SearchResult.From(response, host.Collection.Count, clock.Elapsed));
    }
}
