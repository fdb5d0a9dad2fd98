using Lookalike.Errors;

namespace Lookalike.Collections;

/// <summary>
/// Several stores behind one <see cref="ICollectionProvider"/>: a location goes to the first store that
/// handles it (a folder to the embedded store, a database location to its store).
/// </summary>
/// <param name="stores">The stores, most specific first.</param>
public sealed class CollectionStores(params ICollectionProvider[] stores) : ICollectionProvider
{
    /// <inheritdoc/>
    public bool Handles(string location) => stores.Any(s => s.Handles(location));

    /// <inheritdoc/>
    public ModelReference? ReadModel(string location) => StoreOf(location).ReadModel(location);

    /// <inheritdoc/>
    public ValueTask<ImageCollection> OpenAsync(string location, CollectionAccess access, NewCollection? creation = null,
        CancellationToken cancellationToken = default) => StoreOf(location).OpenAsync(location, access, creation, cancellationToken);

    private ICollectionProvider StoreOf(string location) => stores.FirstOrDefault(s => s.Handles(location))
        ?? throw new LookalikeException($"No collection store understands '{location}': give a folder or postgres://user@host:port/db?collection=NAME.");
}

/// <summary>What hosts need to know of a location without opening it.</summary>
public static class CollectionLocations
{
    /// <summary>Whether <paramref name="location"/> is a folder (not a database URL or connection string).</summary>
    public static bool IsFolder(string location) =>
        !location.Contains("://", StringComparison.Ordinal) && !location.Contains("Host=", StringComparison.OrdinalIgnoreCase);

    /// <summary>A folder made absolute; any other location as given.</summary>
    public static string Normalize(string location) => IsFolder(location) ? Path.GetFullPath(location) : location;

    /// <summary>
    /// A local folder for what a run keeps beside a collection (the decoding journal, uploads): the
    /// collection's own folder, or for a database location a folder under <paramref name="dataDirectory"/>
    /// named after it.
    /// </summary>
    public static string LocalFolder(string location, string dataDirectory, string purpose)
    {
        if (IsFolder(location)) return Path.GetFullPath(location);
        string key = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(location)))[..16];
        return Path.Combine(dataDirectory, purpose, key);
    }
}
