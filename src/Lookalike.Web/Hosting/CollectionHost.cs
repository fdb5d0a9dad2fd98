using Lookalike.Collections;
using Lookalike.Errors;
using Lookalike.Features;
using Lookalike.Indexes;
using Lookalike.IO;
using Lookalike.Onnx;
using Lookalike.Onnx.Imaging;
using Lookalike.Onnx.Imaging.Isolation;
using Lookalike.Search;
using Lookalike.Sessions;
using Lookalike.Web.Observability;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lookalike.Web.Hosting;

/// <summary>
/// What the server serves: the collection, the model that featurises query images, and the two
/// index choices (exact scan and an approximate index). Opened once at start-up.
/// </summary>
internal sealed partial class CollectionHost : IAsyncDisposable
{
    private readonly SemaphoreSlim _extractions;
    private readonly SemaphoreSlim _uploads = new(1);
    private readonly LookalikeSession _session;
    private readonly IsolatedImageDecoder? _decoder;
    private readonly ILogger<CollectionHost> _logger;

    public CollectionHost(IOptions<SearchServerOptions> options, LookalikeServices services, ServerMetrics metrics, ILogger<CollectionHost> logger)
    {
        _logger = logger;
        Metrics = metrics;
        Options = options.Value;
        string folder = Options.Collection is { Length: > 0 } given
            ? CollectionLocations.Normalize(given)
            : throw new LookalikeException("No collection to serve: give --collection DIR (configuration key Lookalike:Collection).");
        if (services.Collections.ReadModel(folder) is null && !Options.AllowUploadsToCollection)
        {
            throw new LookalikeException(
                $"'{folder}' holds no collection. Index a folder into it first: lookalike index FOLDER --collection {folder}");
        }
        LoaderOptions = new ImageLoaderOptions { MaxPixels = Options.MaxPixels };
        // Uploads are untrusted: the native decoder runs in worker processes, never in the server's.
        _decoder = Options.DecodeInWorkerProcess ? new IsolatedImageDecoder(DecoderOptions(Options, LoaderOptions)) : null;
        IImageDecoder decoder = _decoder is null ? new ImageLoader(LoaderOptions) : _decoder;
        try
        {
            // The embedded store opens synchronously; the session call is the same for every store.
            _session = LookalikeSession.OpenAsync(services, new SessionRequest
            {
                Location = folder,
                Access = Options.AllowUploadsToCollection ? CollectionAccess.WriteOrCreate : CollectionAccess.Read,
                ModelPath = Options.Model,
                Device = Onnx.ExecutionDevice.Parse(Options.Device),
                Tune = o => o with { Loader = LoaderOptions, Decoder = decoder },
            }).GetAwaiter().GetResult();
        }
        catch
        {
            _decoder?.Dispose();
            throw;
        }
        Thumbnailer = new Thumbnailer(decoder);
        _extractions = new SemaphoreSlim(Math.Max(1, Options.MaxConcurrentExtractions));
        var info = Collection.Info;
        ApproximateIndex = Options.ApproximateIndex ?? info.ApproximateIndexSpec();
        services.Indexes.Validate(info.Model.Dimension, ApproximateIndex, info.Metric);
        if (Options.AllowUploadsToCollection) RemoveOrphanUploads();
        metrics.ObserveCollection(() => Collection.Count);
    }

    /// <summary>What the server measures of itself.</summary>
    public ServerMetrics Metrics { get; }

    /// <summary>Whether the collection and both indexes are loaded (the warm-up has run).</summary>
    public bool Ready { get; private set; }

    /// <summary>Takes in commits another process made to a collection this server opened read-only.</summary>
    /// <returns>Whether there was a new commit.</returns>
    public bool FollowCommits() => Collection.Refresh();

    /// <summary>The settings the server runs with.</summary>
    public SearchServerOptions Options { get; }

    /// <summary>The collection served.</summary>
    public ImageCollection Collection => _session.Collection;

    /// <summary>Decoder limits for uploads (the header is checked before anything is decoded).</summary>
    public ImageLoaderOptions LoaderOptions { get; }

    /// <summary>The worker processes decoding uploads, unless decoding runs in-process.</summary>
    public IsolatedImageDecoder? IsolatedDecoder => _decoder;

    /// <summary>Makes the previews.</summary>
    public Thumbnailer Thumbnailer { get; }

    /// <summary>Query by example over the collection.</summary>
    public ImageSearcher Searcher => _session.Searcher;

    /// <summary>The model of the collection.</summary>
    public FeatureExtractorMetadata Model => _session.Extractor.Metadata;

    /// <summary>The index behind the "approximate" choice.</summary>
    public string ApproximateIndex { get; }

    /// <summary>The index behind the "exact" choice.</summary>
    public static string ExactIndex => Flat.TypeName;

    /// <summary>
    /// Extracts features of an upload, with its size after EXIF orientation; at most
    /// <see cref="SearchServerOptions.MaxConcurrentExtractions"/> at a time.
    /// </summary>
    /// <exception cref="ImageDecodeException">when the image cannot be used.</exception>
    public async Task<FeatureResult> ExtractAsync(ImageInput image, CancellationToken cancellationToken)
    {
        await _extractions.WaitAsync(cancellationToken);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            await foreach (var result in _session.Extractor.ExtractStreamAsync(One(image), cancellationToken))
            {
                return result.Succeeded
                    ? result
                    : throw new ImageDecodeException(image.Source, result.Error!, result.Problem ?? ImageProblem.Corrupt);
            }
            throw new InvalidOperationException("The extractor returned no result.");
        }
        finally
        {
            Metrics.Extracted(clock.Elapsed);
            _extractions.Release();
        }
    }

    /// <summary>The backbone's classifier, when it has one with class names (not after a fine-tuned head: its features are another space).</summary>
    public IImageClassifier? Classifier => _session.Extractor is IImageClassifier { CanClassify: true } classifier ? classifier : null;

    /// <summary>The most probable classes of an upload ("what the model sees"), at most as many at a time as extractions.</summary>
    /// <exception cref="ImageDecodeException">when the image cannot be used.</exception>
    public async Task<IReadOnlyList<ClassGuess>> ClassifyAsync(IImageClassifier classifier, ImageInput image, int top, CancellationToken cancellationToken)
    {
        await _extractions.WaitAsync(cancellationToken);
        try
        {
            return await classifier.ClassifyAsync(image, top, cancellationToken);
        }
        finally
        {
            _extractions.Release();
        }
    }

    private static async IAsyncEnumerable<ImageInput> One(ImageInput image)
    {
        await Task.CompletedTask;
        yield return image;
    }

    private static IsolatedDecoderOptions DecoderOptions(SearchServerOptions options, ImageLoaderOptions loader)
    {
        var installed = options.DecoderWorkerCommand is { Length: > 0 } command
            ? new IsolatedDecoderOptions { FileName = command[0], Arguments = command[1..] }
            : IsolatedDecoderOptions.Installed();
        return installed with { Loader = loader, Workers = Math.Max(1, options.MaxConcurrentExtractions), Timeout = options.DecodeTimeout };
    }

    /// <summary>Builds both indexes now, so that the first query does not pay for it.</summary>
    public async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        var info = Collection.Info;
        var probe = new float[info.Model.Dimension];
        probe[0] = 1;
        foreach (string spec in new[] { ExactIndex, ApproximateIndex })
            await Collection.SearchAsync(probe, new SearchOptions(1, IndexSpec: spec), cancellationToken);
        if (_decoder?.Check() is { } problem) LogDecoderBroken(_logger, problem);
        Ready = true;
    }

    [LoggerMessage(Level = LogLevel.Error,
        Message = "The decoding worker does not work ({Problem}); every upload will be refused with 422 until it does")]
    private static partial void LogDecoderBroken(ILogger logger, string problem);

    public async ValueTask DisposeAsync()
    {
        await _session.DisposeAsync();
        _extractions.Dispose();
        _uploads.Dispose();
        _decoder?.Dispose();
    }

}
