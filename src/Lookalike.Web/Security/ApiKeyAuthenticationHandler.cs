using System.Security.Claims;
using System.Text.Encodings.Web;
using Lookalike.Access;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lookalike.Web.Security;

/// <summary>
/// Authenticates a request by its API key, sent as <c>Authorization: Bearer KEY</c> or <c>X-Api-Key: KEY</c>.
/// No key: no identity (the route's policy decides); a key that is not valid: a failure the 401 explains.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger,
    UrlEncoder encoder, ApiKeyStore keys) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>The scheme's name.</summary>
    public const string SchemeName = "ApiKey";

    /// <summary>The header that carries a key besides <c>Authorization</c>.</summary>
    public const string HeaderName = "X-Api-Key";

    /// <summary>The claim holding the key's scope.</summary>
    public const string ScopeClaim = "lookalike:scope";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? text = KeyOf(Request);
        if (text is null) return Task.FromResult(AuthenticateResult.NoResult());
        var key = keys.Verify(text);
        if (key is null) return Task.FromResult(AuthenticateResult.Fail("The API key is not valid: unknown, revoked or mistyped."));
        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, key.Id),
            new Claim(ClaimTypes.Name, key.Name),
            new Claim(ScopeClaim, key.Scope.Name()),
        ], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer realm=\"lookalike\"";
        return Task.CompletedTask;
    }

    /// <summary>The key a request carries, or null.</summary>
    private static string? KeyOf(HttpRequest request)
    {
        if (request.Headers[HeaderName] is { Count: > 0 } header && !string.IsNullOrWhiteSpace(header[0])) return header[0]!.Trim();
        string? authorization = request.Headers.Authorization;
        const string bearer = "Bearer ";
        return authorization is not null && authorization.StartsWith(bearer, StringComparison.OrdinalIgnoreCase)
            ? authorization[bearer.Length..].Trim()
            : null;
    }
}
