using Lookalike.Collections;
using Lookalike.Errors;
using Lookalike.Features;
using Lookalike.Indexes;
using Lookalike.Onnx;
using Lookalike.Onnx.Imaging;
using Lookalike.Onnx.Models;
using Lookalike.Search;
using Lookalike.Training.Heads;
using Microsoft.Extensions.Options;

namespace Lookalike.Web.Hosting;

/// <summary>
/// What the server serves: the collection, the model that featurises query images, and the two
/// index choices (exact scan and an approximate index). Opened once at start-up.
/// </summary>
internal sealed class CollectionHost : IAsyncDisposable
{
    private readonly SemaphoreSlim _extractions;
    private readonly IFeatureExtractor _extractor;
    private readonly EmbeddedCollection _collection;

    public CollectionHost(IOptions<SearchServerOptions> options)
    {
        Options = options.Value;
        string folder = Options.Collection is { Length: > 0 } given
            ? Path.GetFullPath(given)
            : throw new LookalikeException("No collection to serve: give --collection DIR (configuration key Lookalike:Collection).");
        if (!EmbeddedCollection.Exists(folder) && !Options.AllowUploadsToCollection)
        {
            throw new LookalikeException(
                $"'{folder}' holds no collection. Index a folder into it first: lookalike index FOLDER --collection {folder}");
        }
        var loaderOptions = new ImageLoaderOptions { MaxPixels = Options.MaxPixels };
        _extractor = FineTunedExtractor.Wrap(ExtractorFactory.ForCollection(folder, Options.Model, o => o with { Loader = loaderOptions }),
            FineTunedExtractor.HeadOf(folder));
        try
        {
            var model = _extractor.Metadata.ToModelReference();
            _collection = Options.AllowUploadsToCollection
                ? EmbeddedCollection.OpenOrCreate(folder, model, _extractor.Metadata.PreferredMetric, Flat.TypeName)
                : EmbeddedCollection.OpenReadOnly(folder);
            _collection.EnsureModel(model);
        }
        catch
        {
            _extractor.Dispose();
            throw;
        }
        Loader = new ImageLoader(loaderOptions);
        Thumbnailer = new Thumbnailer(Loader);
        Searcher = new ImageSearcher(_collection, _extractor);
        _extractions = new SemaphoreSlim(Math.Max(1, Options.MaxConcurrentExtractions));
        var info = _collection.Info;
        ApproximateIndex = Options.ApproximateIndex
            ?? (Flat.IsSpec(info.IndexSpec) ? DefaultApproximateIndex(info.Metric) : info.IndexSpec);
        IndexFactory.Create(info.Model.Dimension, ApproximateIndex, info.Metric).Dispose();
    }

    /// <summary>The settings the server runs with.</summary>
    public SearchServerOptions Options { get; }

    /// <summary>The collection served.</summary>
    public ImageCollection Collection => _collection;

    /// <summary>Decoder limits for uploads (the header is checked before anything is decoded).</summary>
    public ImageLoader Loader { get; }

    /// <summary>Makes the previews.</summary>
    public Thumbnailer Thumbnailer { get; }

    /// <summary>Query by example over the collection.</summary>
    public ImageSearcher Searcher { get; }

    /// <summary>The model of the collection.</summary>
    public FeatureExtractorMetadata Model => _extractor.Metadata;

    /// <summary>The index behind the "approximate" choice.</summary>
    public string ApproximateIndex { get; }

    /// <summary>The index behind the "exact" choice.</summary>
    public static string ExactIndex => Flat.TypeName;

    /// <summary>Extracts features of an upload; at most <see cref="SearchServerOptions.MaxConcurrentExtractions"/> at a time.</summary>
    public async Task<float[]> ExtractAsync(ImageInput image, CancellationToken cancellationToken)
    {
        await _extractions.WaitAsync(cancellationToken);
        try
        {
            return await _extractor.ExtractAsync([image], cancellationToken);
        }
        finally
        {
            _extractions.Release();
        }
    }

    /// <summary>Builds both indexes now, so that the first query does not pay for it.</summary>
    public async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        var info = _collection.Info;
        var probe = new float[info.Model.Dimension];
        probe[0] = 1;
        foreach (string spec in new[] { ExactIndex, ApproximateIndex })
            await _collection.SearchAsync(probe, new SearchOptions(1, IndexSpec: spec), cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _collection.DisposeAsync();
        _extractor.Dispose();
        _extractions.Dispose();
    }

    /// <summary>
    /// An approximate index for a collection built without one: for cosine, the multi-probe E2LSH setting
    /// measured on CIFAR-10 ResNet50 features (docs/results.md); for L2, random-hyperplane LSH (scale-free).
    /// </summary>
    private static string DefaultApproximateIndex(DistanceMetric metric) => metric == DistanceMetric.Cosine
        ? "E2Lsh(tables=8,projections=8,width=0.75,probes=32)"
        : "HyperplaneLsh(tables=8,bits=12,radius=1)";
}
