using System.Globalization;
using System.Text.RegularExpressions;
using Lookalike.Errors;

namespace Lookalike.Indexes;

/// <summary>
/// Creates indexes from spec strings (faiss's index_factory idea): the same strings are used by the
/// CLI, the web app, evaluation and sweeps.
/// </summary>
/// <remarks>Thread-safe: it holds no state besides the constant registry.</remarks>
public static partial class IndexFactory
{
    private static readonly Lock Registration = new();

    private static readonly Dictionary<string, Func<int, DistanceMetric, IndexSpecComponent, IVectorIndex>> Creators =
        new(StringComparer.OrdinalIgnoreCase)
        {
            [Flat.TypeName] = (d, metric, spec) =>
            {
                spec.RejectUnknown();
                return new Flat(d, metric);
            },
            [E2Lsh.TypeName] = (d, metric, spec) =>
            {
                spec.RejectUnknown("tables", "projections", "width", "probes", "seed");
                return new E2Lsh(d, metric, spec.GetInt("tables", 7), spec.GetInt("projections", 2), spec.GetDouble("width", 6),
                    spec.GetInt("probes", 0), spec.GetInt("seed", 42));
            },
            [HyperplaneLsh.TypeName] = (d, metric, spec) =>
            {
                spec.RejectUnknown("tables", "bits", "radius", "seed");
                return new HyperplaneLsh(d, metric, spec.GetInt("tables", 8), spec.GetInt("bits", 16), spec.GetInt("radius", 0),
                    spec.GetInt("seed", 42));
            },
            [Ivf.TypeName] = (d, metric, spec) =>
            {
                spec.RejectUnknown("lists", "nprobe", "seed");
                return new Ivf(d, metric, spec.GetInt("lists", 256), spec.GetInt("nprobe", 1), spec.GetInt("seed", 42));
            },
        };

    /// <summary>The index type names the factory knows.</summary>
    public static IReadOnlyCollection<string> KnownTypes
    {
        get
        {
            lock (Registration) return [.. Creators.Keys, PcaIndex.TypeName];
        }
    }

    /// <summary>
    /// Adds an index type from another assembly (e.g. learned indexes that need a trainer), usable in
    /// specs everywhere; registering a name again replaces it.
    /// </summary>
    public static void Register(string typeName, Func<int, DistanceMetric, IndexSpecComponent, IVectorIndex> create)
    {
        lock (Registration) Creators[typeName] = create;
    }

    /// <summary>Creates an empty index of dimension <paramref name="dimension"/> from <paramref name="spec"/>.</summary>
    /// <remarks>
    /// A chain puts a transform in front of an index: <c>Pca(dims=64),Ivf(lists=256,nprobe=8)</c>, or in faiss's
    /// short form <c>PCA64,IVF256</c>.
    /// </remarks>
    /// <exception cref="LookalikeException">for an unknown type, unknown parameter or malformed spec.</exception>
    public static IVectorIndex Create(int dimension, string spec, DistanceMetric metric)
    {
        var chain = IndexSpecComponent.ParseChain(spec).Select(Expand).ToList();
        if (chain.Count == 2 && IsPca(chain[0]))
        {
            var pca = chain[0];
            pca.RejectUnknown("dims", "seed");
            int dims = pca.GetInt("dims", 64);
            if (dims < 1 || dims > dimension) throw new LookalikeException($"Index spec '{spec}': Pca dims must be 1..{dimension} (was {dims}).");
            var inner = CreateOne(dims, chain[1], metric);
            return new PcaIndex(dimension, metric, dims, inner, pca.GetInt("seed", 42));
        }
        if (chain.Count != 1 || IsPca(chain[0]))
            throw new LookalikeException($"Index spec '{spec}': write one index, or Pca(dims=N) followed by one index (e.g. PCA64,IVF256).");
        return CreateOne(dimension, chain[0], metric);
    }

    private static IVectorIndex CreateOne(int dimension, IndexSpecComponent component, DistanceMetric metric)
    {
        Func<int, DistanceMetric, IndexSpecComponent, IVectorIndex>? create;
        lock (Registration) Creators.TryGetValue(component.Name, out create);
        if (create is null)
            throw new LookalikeException($"Unknown index type '{component.Name}'; known types: {string.Join(", ", KnownTypes)}.");
        return create(dimension, metric, component);
    }

    private static bool IsPca(IndexSpecComponent component) => component.Name.Equals(PcaIndex.TypeName, StringComparison.OrdinalIgnoreCase);

    /// <summary>faiss's short forms: PCA64 → Pca(dims=64), IVF256 → Ivf(lists=256).</summary>
    private static IndexSpecComponent Expand(IndexSpecComponent component)
    {
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
