using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Lookalike.Errors;
using Lookalike.IO;

namespace Lookalike.Access;

/// <summary>
/// The API keys of a collection, in <c>api-keys.json</c> in its local folder (beside an embedded collection; under the data
/// directory for a database). Only hashes are stored. A server reads the file again when it changes, so a key revoked from the
/// command line stops working at once.
/// </summary>
public sealed class ApiKeyStore
{
    /// <summary>The file's name in the collection's local folder.</summary>
    public const string FileName = "api-keys.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    // Compared when a key's id is unknown, so that a wrong id costs the same time as a wrong secret.
    private static readonly byte[] NoHash = new byte[32];

    private readonly Lock _gate = new();
    private (DateTime WrittenAt, long Length, IReadOnlyList<ApiKey> Keys)? _cache;

    /// <summary>A store over the keys file in <paramref name="folder"/>.</summary>
    public ApiKeyStore(string folder) => Path = System.IO.Path.Combine(System.IO.Path.GetFullPath(folder), FileName);

    /// <summary>The keys of the collection at <paramref name="location"/> (a folder, or a database whose local folder is under <paramref name="dataDirectory"/>).</summary>
    public static ApiKeyStore ForCollection(string location, string dataDirectory) =>
        new(Collections.CollectionLocations.LocalFolder(Collections.CollectionLocations.Normalize(location), dataDirectory, "keys"));

    /// <summary>The keys file.</summary>
    public string Path { get; }

    /// <summary>Every key, revoked ones included, oldest first.</summary>
    public IReadOnlyList<ApiKey> List()
    {
        var file = new FileInfo(Path);
        if (!file.Exists) return [];
        lock (_gate)
        {
            if (_cache is { } cached && cached.WrittenAt == file.LastWriteTimeUtc && cached.Length == file.Length) return cached.Keys;
            var keys = Read();
            _cache = (file.LastWriteTimeUtc, file.Length, keys);
            return keys;
        }
    }

    /// <summary>Whether any key is still valid.</summary>
    public bool AnyValid => List().Any(k => k.Valid);

    /// <summary>Makes a key; the returned token is the only time its secret exists outside the client.</summary>
    /// <exception cref="LookalikeException">when the name is empty or already names a valid key.</exception>
    public (ApiKey Key, ApiKeyToken Token) Create(string name, ApiKeyScope scope)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new LookalikeException("A key needs a name (--name).");
        name = name.Trim();
        return Change(keys =>
        {
            if (keys.Any(k => k.Valid && k.Name == name)) throw new LookalikeException($"A valid key named '{name}' exists already; revoke it or pick another name.");
            var token = ApiKeyToken.Create();
            var key = new ApiKey(token.Id, name, scope, Convert.ToHexStringLower(token.SecretHash()), DateTimeOffset.UtcNow, null);
            keys.Add(key);
            return (key, token);
        });
    }

    /// <summary>Revokes the valid key whose id or name is <paramref name="idOrName"/>.</summary>
    /// <exception cref="LookalikeException">when no valid key has that id or name.</exception>
    public ApiKey Revoke(string idOrName) => Change(keys =>
    {
        int at = keys.FindIndex(k => k.Valid && (k.Id == idOrName || k.Name == idOrName));
        if (at < 0) throw new LookalikeException($"No valid key has the id or name '{idOrName}' (lookalike keys list shows them).");
        keys[at] = keys[at] with { RevokedAt = DateTimeOffset.UtcNow };
        return keys[at];
    });

    /// <summary>The valid key <paramref name="text"/> is, or null (unknown, revoked, or not a key). The secret is compared in constant time.</summary>
    public ApiKey? Verify(string? text)
    {
        if (!ApiKeyToken.TryParse(text, out var token)) return null;
        var key = List().FirstOrDefault(k => k.Id == token.Id);
        byte[] stored = key is null ? NoHash : Convert.FromHexString(key.SecretSha256);
        bool same = CryptographicOperations.FixedTimeEquals(token.SecretHash(), stored);
        return same && key is { Valid: true } ? key : null;
    }

    private T Change<T>(Func<List<ApiKey>, T> change)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        // One writer at a time across processes: the lock file is held for the read-change-write.
        using var writers = LockWriters();
        var keys = File.Exists(Path) ? [.. Read()] : new List<ApiKey>();
        var result = change(keys);
        AtomicFile.Write(Path, stream => JsonSerializer.Serialize(stream, new ApiKeyFile(1, keys), Json));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return result;
    }

    private FileStream LockWriters()
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(Path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 50)
            {
                Thread.Sleep(100);
            }
        }
    }

    private List<ApiKey> Read()
    {
        try
        {
            var file = JsonSerializer.Deserialize<ApiKeyFile>(File.ReadAllBytes(Path), Json)
                ?? throw new LookalikeException($"'{Path}' holds no keys.");
            return file.Version == 1 ? file.Keys : throw new LookalikeException($"'{Path}' is of a newer version ({file.Version}).");
        }
        catch (JsonException e)
        {
            throw new LookalikeException($"'{Path}' is not a keys file: {e.Message}");
        }
    }

    private sealed record ApiKeyFile(int Version, List<ApiKey> Keys);
}
