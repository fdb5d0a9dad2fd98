using System.Security.Cryptography;
using System.Text;

namespace Lookalike.Access;

/// <summary>
/// The text of a key: <c>lk_</c>, a 12-character id, <c>_</c>, and a 43-character secret (32 random bytes, base64url).
/// The id finds the record; the secret is checked against its hash.
/// </summary>
public readonly record struct ApiKeyToken(string Id, string Secret)
{
    private const string Prefix = "lk_";
    private const int IdLength = 12;

    /// <summary>A new key with random id and secret.</summary>
    public static ApiKeyToken Create() =>
        new(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(IdLength / 2)), Base64Url(RandomNumberGenerator.GetBytes(32)));

    /// <summary>Reads a key as a client sent it; false when it does not have the shape of one.</summary>
    public static bool TryParse(string? text, out ApiKeyToken token)
    {
        token = default;
        if (text is null || text.Length != Prefix.Length + IdLength + 1 + 43 || !text.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        string id = text.Substring(Prefix.Length, IdLength);
        if (text[Prefix.Length + IdLength] != '_' || !id.All(char.IsAsciiHexDigitLower)) return false;
        token = new ApiKeyToken(id, text[(Prefix.Length + IdLength + 1)..]);
        return true;
    }

    /// <summary>SHA-256 of the secret (the secret is 256 random bits, so a plain hash is enough to keep it from being read back).</summary>
    public byte[] SecretHash() => SHA256.HashData(Encoding.UTF8.GetBytes(Secret));

    /// <summary>The key as a client sends it.</summary>
    public override string ToString() => $"{Prefix}{Id}_{Secret}";

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
