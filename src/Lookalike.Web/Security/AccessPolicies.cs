using Lookalike.Access;
using Lookalike.Web.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Lookalike.Web.Security;

/// <summary>The two policies routes name: <see cref="Read"/> (searching, images) and <see cref="Write"/> (adding and removing images).</summary>
internal static class AccessPolicies
{
    public const string Read = "read";
    public const string Write = "write";

    /// <summary>API-key authentication over the collection's keys file, the two policies, and problem-details answers.</summary>
    public static IServiceCollection AddLookalikeAccess(this IServiceCollection services)
    {
        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<SearchServerOptions>>().Value;
            return ApiKeyStore.ForCollection(options.Collection ?? throw new Errors.LookalikeException("No collection to serve."),
                Onnx.Models.ModelLocator.DataDirectory);
        });
        services.AddSingleton<ServerAccess>();
        services.AddSingleton<IAuthorizationHandler, ScopeRequirementHandler>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();
        // The core only: keys need no cookies, so no data-protection key ring is made in the user's profile.
        services.AddWebEncoders();
        services.AddAuthenticationCore(authentication =>
        {
            authentication.DefaultScheme = ApiKeyAuthenticationHandler.SchemeName;
            authentication.AddScheme<ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        });
        services.AddOptions<AuthenticationSchemeOptions>(ApiKeyAuthenticationHandler.SchemeName)
            .Configure(options => options.TimeProvider = TimeProvider.System);
        services.AddTransient<ApiKeyAuthenticationHandler>();
        services.AddAuthorizationBuilder()
            .AddPolicy(Read, policy => policy.AddRequirements(new ScopeRequirement(ApiKeyScope.Read)))
            .AddPolicy(Write, policy => policy.AddRequirements(new ScopeRequirement(ApiKeyScope.Write)));
        return services;
    }
}
