namespace Lookalike.Access;

/// <summary>One API key as stored: never the key itself, only the SHA-256 of its secret part.</summary>
/// <param name="Id">The public part of the key (it starts the key, so a key names its record).</param>
/// <param name="Name">What the key is for.</param>
/// <param name="Scope">What it may do.</param>
/// <param name="SecretSha256">SHA-256 of the secret part, lower-case hex.</param>
/// <param name="CreatedAt">When it was made.</param>
/// <param name="RevokedAt">When it was revoked, or null while it is valid.</param>
public sealed record ApiKey(string Id, string Name, ApiKeyScope Scope, string SecretSha256, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt)
{
    /// <summary>Whether the key is still accepted.</summary>
    public bool Valid => RevokedAt is null;
}
