using Lookalike.Web.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace Lookalike.Web.Api;

/// <summary>
/// What the OpenAPI document says besides the routes: the API's description and licence, the server it was fetched from,
/// the two ways to send a key, which operations need which key, tag descriptions, and the refusals every guarded route can answer.
/// </summary>
internal static class ApiContract
{
    public const string ApiKeyScheme = "ApiKey";
    public const string BearerScheme = "Bearer";

    private static readonly (string Name, string Description)[] Tags =
    [
        ("Search", "Query by example: the images most similar to an uploaded image, a region of it, or an image of the collection."),
        ("Images", "The collection's images by id: originals, thumbnails, pages of the collection, and adding or removing images."),
        ("Collection", "What the server searches: size, model, index choices, indexing progress and duplicate groups."),
    ];

    /// <summary>The document and operation transformers.</summary>
    public static void Describe(OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, context, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Lookalike",
                Version = "v1",
                Description = "Content-based image search: upload an image, get the most similar images of a collection (ResNet50 features, exact or approximate index). " +
                    $"Keys: 'Authorization: Bearer KEY' or '{ApiKeyAuthenticationHandler.HeaderName}: KEY', made with 'lookalike keys create'. " +
                    "Errors are RFC 9457 problem details.",
                License = new OpenApiLicense { Name = "MIT", Identifier = "MIT" },
            };
            if (context.ApplicationServices.GetService<IHttpContextAccessor>()?.HttpContext?.Request is { } request)
            {
                document.Servers = [new OpenApiServer { Url = $"{request.Scheme}://{request.Host}{request.PathBase}".TrimEnd('/'), Description = "This server." }];
            }
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
            {
                [ApiKeyScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey,
                    In = ParameterLocation.Header,
                    Name = ApiKeyAuthenticationHandler.HeaderName,
                    Description = "An API key (lookalike keys create --scope read|write).",
                },
                [BearerScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "The same API key as a bearer token.",
                },
            };
            document.Tags = new HashSet<OpenApiTag>(Tags.Select(t => new OpenApiTag { Name = t.Name, Description = t.Description }));
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            var policies = PoliciesOf(context.Description.ActionDescriptor.EndpointMetadata);
            if (policies.Count == 0) return Task.CompletedTask;
            bool readIsOpen = policies.SetEquals([AccessPolicies.Read]) &&
                context.ApplicationServices.GetService<ServerAccess>() is { ReadNeedsKey: false };
            operation.Security =
            [
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, context.Document)] = [] },
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] },
                .. readIsOpen ? new[] { new OpenApiSecurityRequirement() } : [],
            ];
            return Task.CompletedTask;
        });
    }

    /// <summary>
    /// Documents the refusals of guarded routes (run last on every API route): 401 where a key may be needed, 403 where only a
    /// write key will do, 429 where the per-client limit applies.
    /// </summary>
    public static void DocumentRefusals(EndpointBuilder endpoint)
    {
        var policies = PoliciesOf(endpoint.Metadata);
        string[] problem = ["application/problem+json"];
        if (policies.Count > 0) endpoint.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status401Unauthorized, typeof(ProblemDetails), problem));
        if (policies.Contains(AccessPolicies.Write)) endpoint.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status403Forbidden, typeof(ProblemDetails), problem));
        if (endpoint.Metadata.OfType<EnableRateLimitingAttribute>().Any())
            endpoint.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status429TooManyRequests, typeof(ProblemDetails), problem));
    }

    /// <summary>The access policies an endpoint's metadata names.</summary>
    private static HashSet<string?> PoliciesOf(IEnumerable<object> metadata) => metadata.OfType<IAuthorizeData>().Select(a => a.Policy).ToHashSet();
}
