using System.Reflection;
using Lookalike.Sessions;
using Lookalike.Web.Endpoints;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.HttpLogging;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

namespace Lookalike.Web.Hosting;

/// <summary>Builds the web app: the search page, the JSON API, OpenAPI, health and request logging.</summary>
/// <remarks>
/// A host either calls <see cref="BuildAsync"/>, or composes its own app with
/// <see cref="AddLookalikeSearch"/> and <see cref="MapLookalikeApi"/> (then <see cref="WarmUpAsync"/> before it serves).
/// </remarks>
public static class SearchServer
{
    /// <summary>
    /// Builds the app from command-line style <paramref name="args"/> (<c>--urls</c>, <c>--Lookalike:Collection=DIR</c>, …)
    /// and opens the collection and the model, so that a bad setting fails here rather than on the first request.
    /// </summary>
    /// <param name="args">The settings.</param>
    /// <param name="configure">Services added before the search app's (e.g. a cluster silo whose store replaces the default).</param>
    /// <param name="warmUp">Whether to open and warm up now; a host whose searches need it started first (a silo) calls <see cref="WarmUpAsync"/> itself.</param>
    /// <param name="cancellationToken">Stops the warm-up.</param>
    /// <exception cref="Errors.LookalikeException">when the collection or the model cannot be opened.</exception>
    public static async Task<WebApplication> BuildAsync(string[] args, Action<WebApplicationBuilder>? configure = null, bool warmUp = true,
        CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        builder.Services.AddLookalikeSearch(builder.Configuration);
        var app = builder.Build();
        if (warmUp) await app.WarmUpAsync(cancellationToken);
        app.MapLookalikeApi();
        return app;
    }

    /// <summary>Opens the collection and the model now (a bad setting fails here) and builds or loads the indexes, so the first query does not pay for it.</summary>
    public static Task WarmUpAsync(this WebApplication app, CancellationToken cancellationToken = default) =>
        app.Services.GetRequiredService<CollectionHost>().WarmUpAsync(cancellationToken);

    /// <summary>
    /// The services of the search app: settings from the <c>Lookalike</c> section of <paramref name="configuration"/>,
    /// the collection host, index types and stores, upload limits, problem details, OpenAPI, health and request logging.
    /// </summary>
    public static IServiceCollection AddLookalikeSearch(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SearchServerOptions>().Bind(configuration.GetSection(SearchServerOptions.Section));
        services.AddLookalike();
        services.AddSingleton<CollectionHost>();
        services.AddSingleton<ThumbnailCache>();
        services.AddHostedService<CollectionFollower>();
        services.AddHostedService<NativeMemoryTrimmer>();
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<SearchServerOptions>>((kestrel, options) =>
            kestrel.Limits.MaxRequestBodySize = options.Value.MaxUploadBytes + UploadReader.FormOverhead);
        services.AddOptions<FormOptions>().Configure<IOptions<SearchServerOptions>>((form, options) =>
        {
            form.MultipartBodyLengthLimit = options.Value.MaxUploadBytes + UploadReader.FormOverhead;
            form.ValueCountLimit = UploadReader.MaxFields;
            form.ValueLengthLimit = UploadReader.MaxFieldLength;
            form.KeyLengthLimit = UploadReader.MaxFieldLength;
            form.MultipartHeadersLengthLimit = UploadReader.MaxPartHeaderBytes;
        });
        services.AddProblemDetails();
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.AddOpenApi();
        services.AddHealthChecks().AddCheck<CollectionHealthCheck>("collection");
        services.AddHttpLogging(logging =>
        {
            logging.LoggingFields = HttpLoggingFields.RequestMethod | HttpLoggingFields.RequestPath |
                HttpLoggingFields.ResponseStatusCode | HttpLoggingFields.Duration;
            logging.CombineLogs = true;
        });
        return services;
    }

    /// <summary>The search page, the JSON API, OpenAPI and health endpoints, with logging and problem details.</summary>
    public static WebApplication MapLookalikeApi(this WebApplication app)
    {
        app.UseHttpLogging();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        var page = new EmbeddedFileProvider(Assembly.GetExecutingAssembly(), "wwwroot");
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = page });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = page });
        app.MapOpenApi();
        app.MapHealthChecks("/health");
        SearchEndpoints.Map(app);
        ImageEndpoints.Map(app);
        CollectionEndpoints.Map(app);
        BrowseEndpoints.Map(app);
        return app;
    }
}

/// <summary>Healthy while the collection answers; reports its size.</summary>
internal sealed class CollectionHealthCheck(CollectionHost host) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        return Task.FromResult(HealthCheckResult.Healthy($"{host.Collection.Count} images, model {host.Model.ModelId}"));
    }
}
