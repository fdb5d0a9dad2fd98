using Lookalike.Access;
using Microsoft.AspNetCore.Authorization;

namespace Lookalike.Web.Security;

/// <summary>A route needs a key of at least this scope (reads only when the server is not public for reads).</summary>
internal sealed record ScopeRequirement(ApiKeyScope Scope) : IAuthorizationRequirement;

/// <summary>Meets a <see cref="ScopeRequirement"/> from the key's scope claim, or for reads when the server lets anyone read.</summary>
internal sealed class ScopeRequirementHandler(ServerAccess access) : AuthorizationHandler<ScopeRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        if (requirement.Scope == ApiKeyScope.Read && !access.ReadNeedsKey)
        {
            context.Succeed(requirement);
        }
        else if (context.User.FindFirst(ApiKeyAuthenticationHandler.ScopeClaim)?.Value is { } scope &&
                 ApiKeyScopes.Parse(scope).Allows(requirement.Scope))
        {
            context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }
}
