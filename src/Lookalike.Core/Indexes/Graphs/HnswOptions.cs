using System.Globalization;
using Lookalike.Errors;

namespace Lookalike.Indexes;

/// <summary>Parameters of <see cref="Hnsw"/>, with their defaults (those of hnswlib's examples).</summary>
public sealed record HnswOptions
{
    /// <summary>Links per node on the upper layers (2M on layer 0).</summary>
    public int M { get; init; } = 16;

    /// <summary>Candidates kept while linking a new vector.</summary>
    public int EfConstruction { get; init; } = 200;

    /// <summary>Candidates kept while searching layer 0 (at least k are always kept).</summary>
    public int EfSearch { get; init; } = 64;

    /// <summary>Seed of the level draws.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>
    /// The collections' approximate index unless told otherwise: built and saved by <c>index</c> and
    /// <c>import</c>, and behind the search page's "approximate" choice.
    /// </summary>
    public static string DefaultSpec { get; } = new HnswOptions().ToSpec();

    /// <summary>Reads a spec component (absent parameters keep their defaults).</summary>
    public static HnswOptions Parse(IndexSpecComponent component)
    {
        component.RejectUnknown("m", "efconstruction", "efsearch", "seed");
        var d = new HnswOptions();
        return new HnswOptions
        {
            M = component.GetInt("m", d.M),
            EfConstruction = component.GetInt("efconstruction", d.EfConstruction),
            EfSearch = component.GetInt("efsearch", d.EfSearch),
            Seed = component.GetInt("seed", d.Seed),
        };
    }

    /// <summary>The spec with every parameter written out.</summary>
    public string ToSpec() => string.Create(CultureInfo.InvariantCulture,
        $"{Hnsw.TypeName}(m={M},efConstruction={EfConstruction},efSearch={EfSearch},seed={Seed})");

    /// <summary>Throws for values out of range.</summary>
    public void Validate()
    {
        if (M < 2 || M > 256) throw new LookalikeException($"Hnsw m must be 2..256 (was {M}).");
        if (EfConstruction < 1 || EfConstruction > 100_000) throw new LookalikeException($"Hnsw efConstruction must be 1..100000 (was {EfConstruction}).");
        if (EfSearch < 1 || EfSearch > 100_000) throw new LookalikeException($"Hnsw efSearch must be 1..100000 (was {EfSearch}).");
    }
}

/// <summary>The <see cref="Hnsw"/> type.</summary>
public sealed class HnswDescriptor() : OptionsIndexDescriptor<HnswOptions>(Hnsw.TypeName, HnswOptions.Parse,
    (dimension, metric, options, vectors) => new Hnsw(dimension, metric, options, vectors), Hnsw.ReadFrom,
    searchTime: (["efsearch"], options => new HnswSearchParameters { EfSearch = options.EfSearch }));
