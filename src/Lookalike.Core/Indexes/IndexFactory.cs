using Lookalike.Errors;

namespace Lookalike.Indexes;

/// <summary>
/// Creates indexes from spec strings (faiss's index_factory idea): the same strings are used by the
/// CLI, the web app, evaluation and sweeps.
/// </summary>
/// <remarks>Thread-safe: it holds no state besides the constant registry.</remarks>
public static class IndexFactory
{
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
        };

    /// <summary>The index type names the factory knows.</summary>
    public static IReadOnlyCollection<string> KnownTypes => Creators.Keys;

    /// <summary>Creates an empty index of dimension <paramref name="dimension"/> from <paramref name="spec"/>.</summary>
    /// <exception cref="LookalikeException">for an unknown type, unknown parameter or malformed spec.</exception>
    public static IVectorIndex Create(int dimension, string spec, DistanceMetric metric)
    {
        var chain = IndexSpecComponent.ParseChain(spec);
        if (chain.Count != 1)
            throw new LookalikeException($"Index spec '{spec}': composed indexes are not supported yet; use one of {string.Join(", ", KnownTypes)}.");
        var component = chain[0];
        if (!Creators.TryGetValue(component.Name, out var create))
            throw new LookalikeException($"Unknown index type '{component.Name}'; known types: {string.Join(", ", KnownTypes)}.");
        return create(dimension, metric, component);
    }
}
