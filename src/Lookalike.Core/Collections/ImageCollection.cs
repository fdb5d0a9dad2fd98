namespace Lookalike.Collections;

/// <summary>
/// The store the application talks to: images with metadata and feature vectors, searchable by
/// vector. The embedded on-disk folder is the default implementation; a database-backed one plugs
/// in behind the same members.
/// </summary>
/// <remarks>
/// Implementations allow concurrent reads and searches; adds, deletes and commits are serialised
/// internally. Changes become durable at <see cref="CommitAsync"/>; a crash loses at most the
/// uncommitted ones and never corrupts committed state.
/// </remarks>
public abstract class ImageCollection : IAsyncDisposable
{
    /// <summary>Count, model, metric, index and size (the size may need a walk of the storage: not for every request).</summary>
    public abstract CollectionInfo Info { get; }

    /// <summary>The model whose features it holds.</summary>
    public abstract ModelReference Model { get; }

    /// <summary>Where it lives (a folder, a connection).</summary>
    public abstract string Location { get; }

    /// <summary>Throws unless features of <paramref name="model"/> may be mixed with this collection's (same model file and dimension).</summary>
    /// <exception cref="Errors.CollectionMismatchException">when they may not.</exception>
    public void EnsureModel(ModelReference model)
    {
        if (Model.MismatchWith(model) is { } mismatch)
        {
            throw new Errors.CollectionMismatchException(
                $"Collection '{Location}' was built with model {Model.Id}, not with the model given ({mismatch}). " +
                "Use the same model, or index into a new --collection folder.");
        }
    }

    /// <summary>Live images, cheaply (no storage access).</summary>
    public abstract long Count { get; }

    /// <summary>
    /// Adds an image unless one with the same content hash exists.
    /// </summary>
    /// <returns>The image's id and whether it was new.</returns>
    public abstract ValueTask<(long Id, bool Added)> AddAsync(NewImage image, CancellationToken cancellationToken = default);

    /// <summary>The image with <paramref name="id"/>, or null.</summary>
    public abstract ValueTask<ImageRecord?> GetAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>The live image with content hash <paramref name="sha256"/>, or null.</summary>
    public abstract ValueTask<ImageRecord?> FindByHashAsync(string sha256, CancellationToken cancellationToken = default);

    /// <summary>The stored feature vector of image <paramref name="id"/>, or null.</summary>
    public abstract ValueTask<float[]?> GetFeaturesAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>Deletes images; unknown ids are ignored. Returns how many were deleted.</summary>
    public abstract ValueTask<int> DeleteAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken = default);

    /// <summary>Every live image in id order.</summary>
    public abstract IAsyncEnumerable<ImageRecord> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Finds the images most similar to <paramref name="query"/> (a feature vector).</summary>
    public abstract ValueTask<SearchResponse> SearchAsync(ReadOnlyMemory<float> query, SearchOptions options,
        CancellationToken cancellationToken = default);

    /// <summary>What was recorded of a source file at <paramref name="path"/>, or null.</summary>
    public abstract ValueTask<FileState?> GetFileStateAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Every recorded source file with its state, by path (what a copy of the collection carries over).</summary>
    public abstract IAsyncEnumerable<(string Path, FileState State)> ListFileStatesAsync(CancellationToken cancellationToken = default);

    /// <summary>Records a source file's state so an unchanged file is skipped next time.</summary>
    public abstract ValueTask RecordFileStateAsync(string path, FileState state, CancellationToken cancellationToken = default);

    /// <summary>Makes every change so far durable.</summary>
    public abstract ValueTask CommitAsync(CancellationToken cancellationToken = default);

    /// <summary>Every live image with its features: row i of the n×d matrix belongs to image i of the list.</summary>
    public abstract ValueTask<(IReadOnlyList<ImageRecord> Images, float[] Vectors)> ReadAllAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Builds the indexes <paramref name="specs"/> over every live vector and saves them with the
    /// collection, so that searches load them instead of training; indexes saved before are brought up
    /// to date (or trained afresh with <paramref name="rebuild"/>). Commits pending changes first.
    /// </summary>
    /// <returns>Every saved index, as <see cref="CollectionInfo.Indexes"/> now lists them.</returns>
    public abstract ValueTask<IReadOnlyList<PersistedIndex>> SaveIndexesAsync(IReadOnlyCollection<string> specs, bool rebuild = false,
        IProgress<Progress.ProgressUpdate>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// For a collection opened for reading: takes in what writers have committed since it was opened
    /// (or last refreshed), into the loaded indexes too. Cheap when nothing changed.
    /// </summary>
    /// <returns>Whether there was a new commit.</returns>
    public abstract bool Refresh();

    /// <summary>
    /// Waits until another process may have committed (a store that is told so returns at once), at most
    /// <paramref name="timeout"/>; then <see cref="Refresh"/> takes the commit in. Without notifications, waits the timeout.
    /// </summary>
    public virtual Task WaitForChangeAsync(TimeSpan timeout, CancellationToken cancellationToken) => Task.Delay(timeout, cancellationToken);

    /// <inheritdoc/>
    public abstract ValueTask DisposeAsync();
}
