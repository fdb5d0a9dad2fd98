using Lookalike.Collections;
using Lookalike.Indexes;
using Lookalike.Storage.Postgres;
using Lookalike.Training.Hashing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Lookalike.Sessions;

/// <summary>
/// What a program composes once and passes on: the index types specs may name and the stores
/// collections may live in. Hosts get it from dependency injection (<see cref="ServiceCollectionExtensions.AddLookalike"/>)
/// or, without a container, from <see cref="CreateDefault"/>.
/// </summary>
/// <param name="Indexes">The index types: the core library's plus learned hashing.</param>
/// <param name="Collections">Resolves a location to a collection.</param>
/// <param name="Extractors">Makes a session's extractor from the model a collection records (null: none yet) and the request;
/// <see cref="LookalikeSession.CreateExtractor"/> (ONNX Runtime) unless replaced, e.g. by a test's small deterministic one.</param>
public sealed record LookalikeServices(IndexRegistry Indexes, ICollectionProvider Collections, ExtractorFactory? Extractors = null)
{
    /// <summary>Every index type of the product; the PostgreSQL store for database locations, the embedded folder store for folders.</summary>
    public static LookalikeServices CreateDefault()
    {
        var indexes = IndexRegistry.Builtin.With(new NeuralLshDescriptor());
        return new LookalikeServices(indexes, new CollectionStores(new PostgresCollectionProvider(indexes), new EmbeddedCollectionProvider(indexes)));
    }
}

/// <summary>Makes the extractor of a session.</summary>
/// <param name="recorded">The model the collection records, or null when it has none yet.</param>
/// <param name="request">What the session was asked for (model file, head, run-time settings).</param>
public delegate Features.IFeatureExtractor ExtractorFactory(ModelReference? recorded, SessionRequest request);

/// <summary>Registration of the composition root in a service container.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>Adds <see cref="LookalikeServices"/>, its <see cref="IndexRegistry"/> and its <see cref="ICollectionProvider"/> as singletons.</summary>
    /// <remarks>A <see cref="LookalikeServices"/> registered before is kept (tests register one with a fake extractor).</remarks>
    public static IServiceCollection AddLookalike(this IServiceCollection services)
    {
        services.TryAddSingleton(_ => LookalikeServices.CreateDefault());
        services.TryAddSingleton(provider => provider.GetRequiredService<LookalikeServices>().Indexes);
        services.TryAddSingleton(provider => provider.GetRequiredService<LookalikeServices>().Collections);
        return services;
    }
}
