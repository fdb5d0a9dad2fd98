using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Lookalike.Errors;

namespace Lookalike.Indexes;

/// <summary>
/// The index types a program knows, by name: creates indexes from spec strings (faiss's
/// index_factory idea, composed recursively: <c>Pca(dims=64),Ivf(lists=256)</c> or in faiss's short
/// form <c>PCA64,IVF256,Flat</c>) and saves and loads them through one format (magic "LKIDX",
/// version, type name, dimension, metric, the index's state). Immutable: <see cref="With"/> returns
/// a new registry; hosts build one and pass it on (dependency injection), nothing registers globally.
/// </summary>
public sealed partial class IndexRegistry
{
    private static readonly byte[] Magic = "LKIDX"u8.ToArray();

    /// <summary>The format version written by this build (2: structures saved, shared rows not copied).</summary>
    public const int Version = 2;

    private readonly FrozenDictionary<string, IIndexDescriptor> _descriptors;

    private IndexRegistry(IEnumerable<IIndexDescriptor> descriptors) =>
        _descriptors = descriptors.ToFrozenDictionary(d => d.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>The types of this library: Flat, E2Lsh, HyperplaneLsh, CrossPolytopeLsh, Ivf, Pca, Hnsw, Sq and Refine.</summary>
    public static IndexRegistry Builtin { get; } = new IndexRegistry([
        new FlatDescriptor(), new E2LshDescriptor(), new HyperplaneLshDescriptor(), new CrossPolytopeLshDescriptor(), new IvfDescriptor(), new PcaDescriptor(), new HnswDescriptor(),
        new Quantization.SqDescriptor(), new RefineDescriptor(),
    ]);

    /// <summary>This registry plus <paramref name="descriptors"/> (a name given again replaces the earlier type).</summary>
    public IndexRegistry With(params IIndexDescriptor[] descriptors)
    {
        var all = new Dictionary<string, IIndexDescriptor>(_descriptors, StringComparer.OrdinalIgnoreCase);
        foreach (var descriptor in descriptors) all[descriptor.Name] = descriptor;
        return new IndexRegistry(all.Values);
    }

    /// <summary>The type names this registry knows.</summary>
    public IReadOnlyCollection<string> KnownTypes => _descriptors.Keys;

    /// <summary>Creates an empty index of dimension <paramref name="dimension"/> from <paramref name="spec"/>.</summary>
    /// <param name="dimension">Dimension of the vectors.</param>
    /// <param name="spec">The spec, e.g. <c>Flat</c>, <c>E2Lsh(tables=8)</c> or <c>PCA64,IVF256</c>.</param>
    /// <param name="metric">Metric to rank by.</param>
    /// <param name="vectors">Shared vectors to read instead of copying (e.g. a collection's), or null.</param>
    /// <exception cref="LookalikeException">for an unknown type, unknown parameter or malformed spec.</exception>
    public IVectorIndex Create(int dimension, string spec, DistanceMetric metric, IVectorSource? vectors = null) =>
        Create(dimension, [.. IndexSpecComponent.ParseChain(spec).Select(Expand)], metric, vectors);

    /// <summary>Creates the index a parsed chain names (the first component, wrapping the rest).</summary>
    public IVectorIndex Create(int dimension, IReadOnlyList<IndexSpecComponent> chain, DistanceMetric metric, IVectorSource? vectors)
    {
        if (chain.Count == 0) throw new LookalikeException("The index spec is empty; try 'Flat'.");
        var descriptor = Find(chain[0].Name)
            ?? throw new LookalikeException($"Unknown index type '{chain[0].Name}'; known types: {string.Join(", ", KnownTypes.Order())}.");
        return descriptor.Create(new IndexCreation(dimension, metric, chain[0], chain.Skip(1).ToList(), vectors, this));
    }

    /// <summary>
    /// Splits a spec into what must be built and what only steers searching: a build key (the chain
    /// with its search-time parameters left out, so <c>Ivf(lists=256,nprobe=4)</c> and
    /// <c>Ivf(lists=256,nprobe=16)</c> share one) and the search parameters of the last component
    /// that has any (an index built from one spec searches as another with them).
    /// </summary>
    public (string BuildKey, SearchParameters? Parameters) SplitSearchTime(string spec)
    {
        var chain = IndexSpecComponent.ParseChain(spec).Select(Expand).ToList();
        SearchParameters? parameters = null;
        var key = new List<string>();
        foreach (var component in chain)
        {
            var descriptor = Find(component.Name);
            var searchTime = descriptor?.SearchTimeParameters ?? [];
            parameters = descriptor?.SearchParametersOf(component) ?? parameters;
            var kept = component.Parameters.Where(p => !searchTime.Contains(p.Key.ToLowerInvariant())).OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase);
            key.Add($"{component.Name.ToLowerInvariant()}({string.Join(",", kept.Select(p => $"{p.Key.ToLowerInvariant()}={p.Value}"))})");
        }
        return (string.Join(",", key), parameters);
    }

    /// <summary>Throws unless <paramref name="spec"/> is a valid spec for <paramref name="dimension"/>-d vectors.</summary>
    public void Validate(int dimension, string spec, DistanceMetric metric) => Create(dimension, spec, metric).Dispose();

    /// <summary>Writes <paramref name="index"/> to <paramref name="stream"/> (any registry that knows its type reads it back).</summary>
    public static void Save(IVectorIndex index, Stream stream)
    {
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(Version);
        writer.Write(TypeNameOf(index));
        writer.Write(index.Dimension);
        writer.Write((byte)index.Metric);
        index.WriteTo(writer);
    }

    /// <summary>Saves to a file atomically (temporary file, flush, rename).</summary>
    public static void Save(IVectorIndex index, string path) => IO.AtomicFile.Write(path, stream => Save(index, stream));

    /// <summary>Reads an index written by <see cref="Save(IVectorIndex, Stream)"/>.</summary>
    /// <param name="stream">The stream, positioned at the header.</param>
    /// <param name="vectors">The shared vectors it was built over, when it was.</param>
    /// <exception cref="LookalikeException">when the stream is not an index file, of an unknown version or type, or truncated.</exception>
    public IVectorIndex Load(Stream stream, IVectorSource? vectors = null)
    {
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        try
        {
            if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
                throw new LookalikeException("Not a Lookalike index file (bad magic header).");
            int version = reader.ReadInt32();
            if (version != Version)
                throw new LookalikeException($"Index file format version {version} is not supported; this build reads version {Version}. Rebuild the index.");
            string type = reader.ReadString();
            int dimension = reader.ReadInt32();
            var metric = (DistanceMetric)reader.ReadByte();
            var descriptor = Find(type) ?? throw new LookalikeException($"Index file holds an unknown index type '{type}'.");
            return descriptor.Read(reader, new IndexReading(dimension, metric, vectors, this));
        }
        catch (EndOfStreamException e)
        {
            throw new LookalikeException("Index file is truncated.", e);
        }
    }

    /// <summary>Loads from a file.</summary>
    public IVectorIndex Load(string path, IVectorSource? vectors = null)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Load(stream, vectors);
    }

    private IIndexDescriptor? Find(string name) => _descriptors.GetValueOrDefault(name);

    private static string TypeNameOf(IVectorIndex index)
    {
        int end = index.Spec.IndexOfAny(['(', ',']);
        return end < 0 ? index.Spec : index.Spec[..end];
    }

    /// <summary>faiss's short forms: PCA64 → Pca(dims=64), IVF256 → Ivf(lists=256), SQ8 → Sq(storage=sq8), SQfp16 → Sq(storage=f16).</summary>
    private static IndexSpecComponent Expand(IndexSpecComponent component)
    {
        if (component.Name.Equals("SQ8", StringComparison.OrdinalIgnoreCase) || component.Name.Equals("SQfp16", StringComparison.OrdinalIgnoreCase))
        {
            return new IndexSpecComponent(Quantization.Sq.TypeName, new Dictionary<string, string>(component.Parameters, StringComparer.OrdinalIgnoreCase)
            {
                ["storage"] = component.Name.Equals("SQ8", StringComparison.OrdinalIgnoreCase) ? "sq8" : "f16",
            });
        }
        var match = ShortForm().Match(component.Name);
        if (!match.Success) return component;
        bool pca = match.Groups["kind"].Value.Equals("PCA", StringComparison.OrdinalIgnoreCase);
        var parameters = new Dictionary<string, string>(component.Parameters, StringComparer.OrdinalIgnoreCase)
        {
            [pca ? "dims" : "lists"] = int.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture),
        };
        return new IndexSpecComponent(pca ? PcaIndex.TypeName : Ivf.TypeName, parameters);
    }

    [GeneratedRegex(@"^(?<kind>PCA|IVF)(?<n>\d{1,7})$", RegexOptions.IgnoreCase)]
    private static partial Regex ShortForm();
}
