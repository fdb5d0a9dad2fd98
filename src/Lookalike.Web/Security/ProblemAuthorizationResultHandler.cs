using Lookalike.Web.Hosting;
using Lookalike.Web.Observability;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;

namespace Lookalike.Web.Security;

/// <summary>Answers a refused key as problem details: 401 without a valid key, 403 for a read key on a write route.</summary>
internal sealed class ProblemAuthorizationResultHandler(ServerMetrics metrics) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Succeeded)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }
        if (authorizeResult.Challenged)
        {
            // The handler keeps its result for the request: this does not check the key again.
            var failure = (await context.AuthenticateAsync(ApiKeyAuthenticationHandler.SchemeName)).Failure;
            await context.ChallengeAsync(ApiKeyAuthenticationHandler.SchemeName);
            metrics.Rejected(failure is null ? "no_key" : "invalid_key");
            await ProblemResponses.WriteAsync(context, StatusCodes.Status401Unauthorized,
                failure is null ? "API key required" : "API key not valid",
                failure?.Message ??
                    $"This server needs an API key for this route: send 'Authorization: Bearer KEY' or '{ApiKeyAuthenticationHandler.HeaderName}: KEY' (lookalike keys create makes one).");
            return;
        }
        await context.ForbidAsync(ApiKeyAuthenticationHandler.SchemeName);
        metrics.Rejected("forbidden");
        await ProblemResponses.WriteAsync(context, StatusCodes.Status403Forbidden, "Key may not do this",
            "This route changes the collection and needs a key of scope write (lookalike keys create --scope write).");
    }
}
