using System.Security.Cryptography;

namespace Lookalike.IO;

/// <summary>SHA-256 content hashes as lower-case hex, the form collections and model cards store.</summary>
public static class FileHash
{
    /// <summary>Hash of the file at <paramref name="path"/>, streamed.</summary>
    public static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Hash of <paramref name="bytes"/>.</summary>
    public static string Sha256Of(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
