using Lookalike.Collections;
using Lookalike.Errors;
using Lookalike.Features;
using Lookalike.Indexes;
using Lookalike.Onnx;
using Lookalike.Onnx.Models;
using Lookalike.Search;
using Lookalike.Training.Heads;

namespace Lookalike.Sessions;

/// <summary>What to open, and how.</summary>
public sealed record SessionRequest
{
    /// <summary>The collection's location (a folder for the embedded store).</summary>
    public required string Location { get; init; }

    /// <summary>Read, write, or write and create.</summary>
    public CollectionAccess Access { get; init; } = CollectionAccess.Read;

    /// <summary>
    /// A backbone name (<see cref="Backbones"/>) or model file to use instead of the one the collection records
    /// (it must be the same model); a new collection records it.
    /// </summary>
    public string? ModelPath { get; init; }

    /// <summary>Where the network runs.</summary>
    public ExecutionDevice Device { get; init; }

    /// <summary>A head file for a new collection (an existing one keeps the head it records).</summary>
    public string? HeadPath { get; init; }

    /// <summary>Default metric of a new collection (the model's preferred one when null).</summary>
    public DistanceMetric? Metric { get; init; }

    /// <summary>Default index of a new collection.</summary>
    public string IndexSpec { get; init; } = Flat.TypeName;

    /// <summary>Run-time settings of the extractor (threads, decoder, limits); its model and preprocessing come from the collection.</summary>
    public Func<OnnxFeatureExtractorOptions, OnnxFeatureExtractorOptions>? Tune { get; init; }
}

/// <summary>
/// A collection opened with the extractor that matches it and a searcher over both: the one call
/// every host makes. The extractor is rebuilt from the collection's model description (model file,
/// input and output names, size, layout, channel order, scaling, mean and std, head), so a host
/// never decides preprocessing, and features of another model are refused.
/// </summary>
public sealed class LookalikeSession : IAsyncDisposable
{
    private LookalikeSession(ImageCollection collection, IFeatureExtractor extractor)
    {
        Collection = collection;
        Extractor = extractor;
        Searcher = new ImageSearcher(collection, extractor);
    }

    /// <summary>The collection.</summary>
    public ImageCollection Collection { get; }

    /// <summary>The extractor whose features the collection holds.</summary>
    public IFeatureExtractor Extractor { get; }

    /// <summary>Query by example over the collection.</summary>
    public ImageSearcher Searcher { get; }

    /// <summary>Opens the collection of <paramref name="request"/> and the extractor its model calls for.</summary>
    /// <exception cref="LookalikeException">when the collection or its model cannot be opened, or the model given is another one.</exception>
    public static async Task<LookalikeSession> OpenAsync(LookalikeServices services, SessionRequest request,
        CancellationToken cancellationToken = default)
    {
        var extractor = (services.Extractors ?? CreateExtractor)(services.Collections.ReadModel(request.Location), request);
        try
        {
            var model = extractor.Metadata.ToModelReference();
            var collection = await services.Collections.OpenAsync(request.Location, request.Access,
                new NewCollection(model, request.Metric ?? extractor.Metadata.PreferredMetric, request.IndexSpec), cancellationToken).ConfigureAwait(false);
            try
            {
                collection.EnsureModel(model);
                return new LookalikeSession(collection, extractor);
            }
            catch
            {
                await collection.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        catch
        {
            extractor.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The extractor for a collection that records <paramref name="recorded"/> (null: none yet):
    /// the model asked for (a backbone name or file), else the recorded one, else the default location; fed as the
    /// recorded description says, else as the model file's own metadata says (the Keras ResNet50 profile for
    /// files without it); followed by the recorded head, or the one asked for.
    /// </summary>
    public static IFeatureExtractor CreateExtractor(ModelReference? recorded, SessionRequest request)
    {
        string modelPath;
        if (request.ModelPath is null && recorded is not null)
        {
            modelPath = File.Exists(recorded.Path)
                ? recorded.Path
                : throw new LookalikeException(
                    $"Collection '{request.Location}' was built with {recorded.Path}, which no longer exists; give --model PATH to the same model.");
        }
        else
        {
            modelPath = ModelLocator.Resolve(request.ModelPath);
        }
        // Messages and manifests name the model by its own file, not by its preprocessing profile.
        var options = recorded?.Description is { } description
            ? OnnxFeatureExtractorOptions.FromDescription(modelPath, description)
            : OnnxFeatureExtractorOptions.ForModel(modelPath);
        var backbone = new OnnxFeatureExtractor((request.Tune is null ? options : request.Tune(options)).OnDevice(request.Device));
        return FineTunedExtractor.Wrap(backbone, request.HeadPath ?? recorded?.Head);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await Collection.DisposeAsync().ConfigureAwait(false);
        Extractor.Dispose();
    }
}
