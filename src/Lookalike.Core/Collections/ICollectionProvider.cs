using Lookalike.Indexes;

namespace Lookalike.Collections;

/// <summary>How a collection is opened.</summary>
public enum CollectionAccess
{
    /// <summary>Searches and reads; any number of readers at once.</summary>
    Read,

    /// <summary>Reads and writes an existing collection; one writer at a time.</summary>
    Write,

    /// <summary>Like <see cref="Write"/>, creating the collection (with <see cref="NewCollection"/>) when absent.</summary>
    WriteOrCreate,
}

/// <summary>What a collection created by <see cref="CollectionAccess.WriteOrCreate"/> is made of.</summary>
/// <param name="Model">The model of its features (an existing collection must match it).</param>
/// <param name="Metric">Its default metric.</param>
/// <param name="IndexSpec">Its default search index.</param>
public sealed record NewCollection(ModelReference Model, DistanceMetric Metric, string IndexSpec);

/// <summary>
/// Resolves a location — a folder today, a database connection string for a database-backed store —
/// to an <see cref="ImageCollection"/>, so that hosts never construct a store themselves.
/// </summary>
public interface ICollectionProvider
{
    /// <summary>Whether this provider handles <paramref name="location"/>.</summary>
    bool Handles(string location);

    /// <summary>The model recorded at <paramref name="location"/>, or null when no collection is there yet.</summary>
    ModelReference? ReadModel(string location);

    /// <summary>Opens the collection at <paramref name="location"/>.</summary>
    /// <exception cref="Errors.LookalikeException">when there is none (and it may not be created), it is busy, damaged, or of another model.</exception>
    ValueTask<ImageCollection> OpenAsync(string location, CollectionAccess access, NewCollection? creation = null,
        CancellationToken cancellationToken = default);
}

/// <summary>The embedded store: a location is a folder.</summary>
/// <param name="indexes">The index types its specs may name.</param>
public sealed class EmbeddedCollectionProvider(IndexRegistry indexes) : ICollectionProvider
{
    /// <inheritdoc/>
    public bool Handles(string location) => CollectionLocations.IsFolder(location);

    /// <inheritdoc/>
    public ModelReference? ReadModel(string location) => EmbeddedCollection.ReadModel(location);

    /// <inheritdoc/>
    public ValueTask<ImageCollection> OpenAsync(string location, CollectionAccess access, NewCollection? creation = null,
        CancellationToken cancellationToken = default)
    {
        EmbeddedCollection collection = access switch
        {
            CollectionAccess.Read => EmbeddedCollection.OpenReadOnly(location, indexes),
            CollectionAccess.Write => EmbeddedCollection.OpenForWriting(location, indexes),
            _ => creation is null
                ? throw new ArgumentNullException(nameof(creation), "Creating a collection needs its model, metric and index.")
                : EmbeddedCollection.OpenOrCreate(location, creation.Model, creation.Metric, creation.IndexSpec, indexes),
        };
        return ValueTask.FromResult<ImageCollection>(collection);
    }
}
