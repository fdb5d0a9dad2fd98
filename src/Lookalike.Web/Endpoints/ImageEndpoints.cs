using Lookalike.Collections;
using Lookalike.Errors;
using Lookalike.Features;
using Lookalike.IO;
using Lookalike.Web.Api;
using Lookalike.Web.Hosting;
using Lookalike.Web.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace Lookalike.Web.Endpoints;

/// <summary>
/// Images by id: the original, its thumbnail, and adding uploads (only when the server allows it).
/// Ids are 64-bit numbers; no part of a request becomes a file path.
/// </summary>
internal static class ImageEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/images").WithTags("Images");
        group.MapGet("/{id:long}", OriginalAsync).WithName("GetImage").WithSummary("The original image file.")
            .Produces(StatusCodes.Status200OK, typeof(byte[]), "image/jpeg", ImageFileReader.ServedTypes)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status410Gone);
        group.MapGet("/{id:long}/thumbnail", ThumbnailAsync).WithName("GetThumbnail")
            .WithSummary("A JPEG preview (made once, then cached).")
            .Produces(StatusCodes.Status200OK, typeof(byte[]), "image/jpeg")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/", AddAsync).WithName("AddImage")
            .RequireAuthorization(AccessPolicies.Write)
            .RequireRateLimiting(RateLimits.Policy)
            .WithSummary("Adds an uploaded image to the collection (only with --allow-uploads-to-collection).")
            .Accepts<SearchForm>("multipart/form-data")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapDelete("/{id:long}", DeleteAsync).WithName("DeleteImage")
            .RequireAuthorization(AccessPolicies.Write)
            .WithSummary("Removes an image from the collection (only with --allow-uploads-to-collection); indexed files stay on disk.")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<NoContent> DeleteAsync(long id, CollectionHost host, CancellationToken cancellationToken)
    {
        RequireChanges(host);
        _ = await host.DeleteImageAsync(id, cancellationToken) ?? throw new ImageNotFoundException(id);
        return TypedResults.NoContent();
    }

    private static void RequireChanges(CollectionHost host)
    {
        if (!host.Options.AllowUploadsToCollection)
        {
            throw new RequestProblemException(StatusCodes.Status403Forbidden, "Changes are off",
                "This server does not change its collection; start it with --allow-uploads-to-collection to allow adding and removing images.");
        }
    }

    private static async Task<FileContentHttpResult> OriginalAsync(long id, CollectionHost host, CancellationToken cancellationToken)
    {
        var image = await FindAsync(host, id, cancellationToken);
        // The bytes served are the bytes checked: nothing is re-opened between the check and the answer.
        byte[] bytes = await ImageFileReader.ReadAsync(host.Collection, image, cancellationToken);
        return TypedResults.File(bytes, ImageFileReader.ContentTypeOf(bytes), entityTag: new EntityTagHeaderValue($"\"{image.Sha256}\""));
    }

    private static async Task<PhysicalFileHttpResult> ThumbnailAsync(long id, CollectionHost host, ThumbnailCache thumbnails,
        HttpResponse response, CancellationToken cancellationToken)
    {
        var image = await FindAsync(host, id, cancellationToken);
        string path = await thumbnails.GetAsync(image, cancellationToken);
        response.Headers.CacheControl = "public, max-age=86400";
        return TypedResults.PhysicalFile(path, "image/jpeg", entityTag: new EntityTagHeaderValue($"\"{image.Sha256}-t\""));
    }

    private static async Task<Results<Created<AddedImage>, Ok<AddedImage>>> AddAsync(HttpRequest request, CollectionHost host,
        CancellationToken cancellationToken)
    {
        RequireChanges(host);
        var upload = await UploadReader.ReadAsync(request, host, cancellationToken);
        string? label = UploadReader.LabelOf(upload.Form);
        var (id, added, path) = await host.AddUploadAsync(upload, label, cancellationToken);
        host.Metrics.Uploaded(added);
        var body = new AddedImage(id, added, path);
        return added ? TypedResults.Created(ImageUrls.Original(id), body) : TypedResults.Ok(body);
    }

    private static async Task<ImageRecord> FindAsync(CollectionHost host, long id, CancellationToken cancellationToken) =>
        await host.Collection.GetAsync(id, cancellationToken) ?? throw new ImageNotFoundException(id);
}
