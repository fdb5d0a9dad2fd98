using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Lookalike.Web.Hosting;
using Lookalike.Web.Observability;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Lookalike.Web.Security;

/// <summary>
/// A token bucket per client for the routes that run the network (searches by upload, classifying, adding uploads) and
/// searches by id: the client is its key when it sent a valid one, else its address. An empty bucket answers 429 with
/// <c>Retry-After</c>.
/// </summary>
internal static class RateLimits
{
    /// <summary>The policy the costly routes name.</summary>
    public const string Policy = "per-client";

    public static IServiceCollection AddLookalikeRateLimits(this IServiceCollection services)
    {
        services.AddRateLimiter(limiter => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<SearchServerOptions>>((limiter, settings) =>
        {
            var options = settings.Value;
            limiter.AddPolicy(Policy, context =>
            {
                if (options.RateLimitBurst <= 0 || options.RateLimitPerSecond <= 0) return RateLimitPartition.GetNoLimiter("off");
                return RateLimitPartition.GetTokenBucketLimiter(ClientOf(context), _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = options.RateLimitBurst,
                    TokensPerPeriod = options.RateLimitPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                var context = rejected.HttpContext;
                context.RequestServices.GetRequiredService<ServerMetrics>().Rejected("rate_limited");
                int seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
                    ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
                    : 1;
                context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await ProblemResponses.WriteAsync(context, StatusCodes.Status429TooManyRequests, "Too many requests",
                    $"This client may make {options.RateLimitBurst} such requests at once and {options.RateLimitPerSecond} more each second; try again in {seconds} s.");
            };
        });
        return services;
    }

    /// <summary>The bucket a request draws from: its key's id, else its address (the client's, behind a trusted proxy).</summary>
    private static string ClientOf(HttpContext context) =>
        context.User.FindFirst(ClaimTypes.NameIdentifier)?.Value is { } keyId
            ? "key:" + keyId
            : "address:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
}
