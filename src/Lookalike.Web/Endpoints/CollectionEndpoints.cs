using Lookalike.Indexes;
using Lookalike.Web.Api;
using Lookalike.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Lookalike.Web.Endpoints;

/// <summary><c>GET /api/collection</c>: what the server searches.</summary>
internal static class CollectionEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/collection", Describe).WithTags("Collection").WithName("GetCollection")
            .WithSummary("Count, model and the two index choices.");
        app.MapGet("/api/indexing", Indexing).WithTags("Collection").WithName("GetIndexing")
            .WithSummary("Whether 'lookalike index' is adding to the collection now, and how far it is.");
    }

    private static Ok<IndexingProgress> Indexing(CollectionHost host)
    {
        var status = Lookalike.Indexing.IndexingStatus.Read(host.StatusFolder);
        return TypedResults.Ok(status is null
            ? new IndexingProgress(false, null, 0, null, null, null, null, host.Collection.Count)
            : new IndexingProgress(status.Running, status.Stage, status.Completed, status.Total, status.Folder, status.StartedAt, status.UpdatedAt,
                host.Collection.Count));
    }

    private static Ok<CollectionSummary> Describe(CollectionHost host)
    {
        var info = host.Collection.Info;
        return TypedResults.Ok(new CollectionSummary(info.Count, info.Metric.Name(), CollectionHost.ExactIndex, host.ApproximateIndex,
            host.Model.ModelId, host.Model.ModelSha256, host.Model.Dimension, host.Options.AllowUploadsToCollection, host.Options.MaxK,
            host.Options.MaxUploadBytes, host.Options.MaxPixels));
    }
}
