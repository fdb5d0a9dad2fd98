using System.Reflection;
using Lookalike.Sessions;
using Lookalike.Web.Api;
using Lookalike.Web.Endpoints;
using Lookalike.Web.Observability;
using Lookalike.Web.Security;
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
using OpenTelemetry.Metrics;

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
        try
        {
            app.MapLookalikeApi();
            if (warmUp) await app.WarmUpAsync(cancellationToken);
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
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
        services.AddHttpContextAccessor();
        services.AddOpenApi(ApiContract.Describe);
        services.AddHealthChecks().AddCheck<CollectionHealthCheck>("collection", tags: [ReadyTag]);
        services.AddLookalikeAccess();
        services.AddLookalikeRateLimits();
        services.AddLookalikeTransport();
        services.AddSingleton<ServerMetrics>();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddAspNetCoreInstrumentation()
            .AddMeter(ServerMetrics.MeterName, "Microsoft.AspNetCore.RateLimiting", "Microsoft.AspNetCore.Authorization")
            .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));
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
        var options = app.Services.GetRequiredService<IOptions<SearchServerOptions>>().Value;
        ServerTransport.Validate(options, app.Configuration["urls"]);
        if (options.TrustedProxies is { Length: > 0 }) app.UseForwardedHeaders();
        app.UseHttpLogging();
        app.UseExceptionHandler();
        app.UseSecurityHeaders();
        app.UseStatusCodePages();
        var page = new EmbeddedFileProvider(Assembly.GetExecutingAssembly(), "wwwroot");
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = page });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = page });
        app.UseRouting();
        if (options.CorsOrigins is { Length: > 0 }) app.UseCors(ServerTransport.CorsPolicy);
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.MapOpenApi();
        app.MapHealthChecks("/health");
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) });
        // Everything but the page, the contract and health needs a read key when the server is not open for reads.
        var api = app.MapGroup("").RequireAuthorization(AccessPolicies.Read);
        ((IEndpointConventionBuilder)api).Finally(ApiContract.DocumentRefusals);
        SearchEndpoints.Map(api);
        ImageEndpoints.Map(api);
        CollectionEndpoints.Map(api);
        BrowseEndpoints.Map(api);
        api.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }

    private const string ReadyTag = "ready";

    /// <summary>Who may do what on the started server, as lines for its operator (call after the server started: reads depend on its addresses).</summary>
    public static IEnumerable<string> AccessSummary(this WebApplication app)
    {
        var access = app.Services.GetRequiredService<ServerAccess>();
        var keys = app.Services.GetRequiredService<Access.ApiKeyStore>();
        var options = app.Services.GetRequiredService<IOptions<SearchServerOptions>>().Value;
        int valid = keys.List().Count(k => k.Valid);
        yield return access.ReadNeedsKey
            ? "Searching needs a key (the server listens beyond loopback; --public-read opens it)."
            : "Searching needs no key" + (options.PublicRead == true ? " (--public-read)." : " (loopback addresses only).");
        yield return $"Adding and removing images needs a write key; {valid} valid key(s) in {keys.Path}.";
        if (valid == 0 && (access.ReadNeedsKey || options.AllowUploadsToCollection))
            yield return $"No key exists yet: make one with 'lookalike keys create --scope write --collection {options.Collection}'.";
        yield return options.RateLimitBurst > 0 && options.RateLimitPerSecond > 0
            ? $"Rate limit: {options.RateLimitBurst} searches or uploads at once per client, {options.RateLimitPerSecond} more each second."
            : "Rate limit: off.";
    }
}

/// <summary>Ready once the collection and its indexes are loaded (the warm-up ran); reports its size.</summary>
internal sealed class CollectionHealthCheck(CollectionHost host) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        return Task.FromResult(host.Ready
            ? HealthCheckResult.Healthy($"{host.Collection.Count} images, model {host.Model.ModelId}")
            : HealthCheckResult.Unhealthy("The collection's indexes are still loading."));
    }
}
