namespace Lookalike.Indexes;

/// <summary>
/// One index type, described once: its name in specs and files, how a spec component becomes an
/// index (its options record holds the defaults), and how a saved one is read back.
/// </summary>
public interface IIndexDescriptor
{
    /// <summary>The type name in specs and serialized files (matched case-insensitively in specs).</summary>
    string Name { get; }

    /// <summary>Creates an empty index from the first component of a chain; the rest of the chain is <see cref="IndexCreation.Inner"/>.</summary>
    /// <exception cref="Errors.LookalikeException">for an unknown parameter, a bad value or an inner index this type cannot take.</exception>
    IVectorIndex Create(IndexCreation creation);

    /// <summary>Reads the state that the index's <see cref="IVectorIndex.WriteTo"/> wrote.</summary>
    IVectorIndex Read(BinaryReader reader, IndexReading reading);

    /// <summary>The spec parameters (lower case) that only steer searching, e.g. nprobe: indexes differing only in them are built alike.</summary>
    IReadOnlyCollection<string> SearchTimeParameters => [];

    /// <summary>The search parameters a component's search-time values stand for (null when the type has none).</summary>
    SearchParameters? SearchParametersOf(IndexSpecComponent component) => null;
}

/// <summary>What a descriptor needs to create an index.</summary>
/// <param name="Dimension">Dimension of the vectors it takes.</param>
/// <param name="Metric">Metric it ranks by.</param>
/// <param name="Component">The spec component naming this type, with its parameters.</param>
/// <param name="Inner">The rest of the chain (empty when this component is the last).</param>
/// <param name="Vectors">Shared vectors to read instead of copying them, or null for an index that keeps its own.</param>
/// <param name="Registry">The registry, for types that wrap an inner index.</param>
public sealed record IndexCreation(int Dimension, DistanceMetric Metric, IndexSpecComponent Component,
    IReadOnlyList<IndexSpecComponent> Inner, IVectorSource? Vectors, IndexRegistry Registry)
{
    /// <summary>
    /// Throws unless this component ends the chain; with <paramref name="flatStorage"/> a trailing
    /// <c>Flat</c> (faiss's <c>IVF256,Flat</c>: vectors stored uncompressed) is accepted too.
    /// </summary>
    public void RejectInner(bool flatStorage = false)
    {
        if (Inner.Count == 0 || flatStorage && Inner is [var only] && only.Name.Equals(Flat.TypeName, StringComparison.OrdinalIgnoreCase) &&
            only.Parameters.Count == 0)
            return;
        throw new Errors.LookalikeException(
            $"Index '{Component.Name}' takes no inner index (got '{string.Join(",", Inner.Select(c => c.Name))}' after it); only Pca wraps another index.");
    }
}

/// <summary>What a descriptor needs to read an index back.</summary>
/// <param name="Dimension">Dimension recorded in the file.</param>
/// <param name="Metric">Metric recorded in the file.</param>
/// <param name="Vectors">The shared vectors the index was built over, when it was.</param>
/// <param name="Registry">The registry, for nested indexes.</param>
public sealed record IndexReading(int Dimension, DistanceMetric Metric, IVectorSource? Vectors, IndexRegistry Registry);

/// <summary>
/// A descriptor for the common case: parameters parsed into an options record, no inner index (or,
/// with <paramref name="flatStorage"/>, faiss's trailing <c>Flat</c>), an index built from
/// (dimension, metric, options, shared vectors) and read by its own reader.
/// </summary>
/// <typeparam name="TOptions">The type's options record (holding the defaults).</typeparam>
/// <param name="name">The type name.</param>
/// <param name="parse">Reads a spec component into options.</param>
/// <param name="create">Builds an empty index.</param>
/// <param name="read">Reads a saved index.</param>
/// <param name="flatStorage">Whether a trailing <c>Flat</c> is accepted.</param>
/// <param name="searchTime">The search-time parameters and the search parameters options stand for, when the type has any.</param>
public class OptionsIndexDescriptor<TOptions>(string name, Func<IndexSpecComponent, TOptions> parse,
    Func<int, DistanceMetric, TOptions, IVectorSource?, IVectorIndex> create, Func<BinaryReader, IndexReading, IVectorIndex> read,
    bool flatStorage = false, (string[] Names, Func<TOptions, SearchParameters> Parameters)? searchTime = null) : IIndexDescriptor
{
    /// <inheritdoc/>
    public string Name => name;

    /// <inheritdoc/>
    public IReadOnlyCollection<string> SearchTimeParameters => searchTime?.Names ?? [];

    /// <inheritdoc/>
    public SearchParameters? SearchParametersOf(IndexSpecComponent component) => searchTime?.Parameters(parse(component));

    /// <inheritdoc/>
    public IVectorIndex Create(IndexCreation creation)
    {
        var options = parse(creation.Component);
        creation.RejectInner(flatStorage);
        return create(creation.Dimension, creation.Metric, options, creation.Vectors);
    }

    /// <inheritdoc/>
    public IVectorIndex Read(BinaryReader reader, IndexReading reading) => read(reader, reading);
}
