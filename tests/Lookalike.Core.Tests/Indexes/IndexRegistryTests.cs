using Lookalike.Errors;
using Lookalike.Indexes;

namespace Lookalike.Core.Tests.Indexes;

public sealed class IndexRegistryTests
{
    [Fact]
    public void Flat_is_created_from_its_spec_in_any_case()
    {
        using var index = IndexRegistry.Builtin.Create(8, "flat", DistanceMetric.Cosine);
        Assert.IsType<Flat>(index);
        Assert.Equal(DistanceMetric.Cosine, index.Metric);
        Assert.Equal("Flat", index.Spec);
    }

    [Theory]
    [InlineData("Nope", "Unknown index type 'Nope'")]
    [InlineData("Flat(x=1)", "no parameter 'x'")]
    [InlineData("Flat(", "malformed")]
    [InlineData("", "empty")]
    public void Bad_specs_name_the_problem(string spec, string expected)
    {
        var error = Assert.Throws<LookalikeException>(() => IndexRegistry.Builtin.Create(8, spec, DistanceMetric.L2));
        Assert.Contains(expected, error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Chains_and_parameters_are_parsed()
    {
        var chain = IndexSpecComponent.ParseChain("PCA64, E2Lsh(tables=7, projections=2,width=6.5)");
        Assert.Equal(2, chain.Count);
        Assert.Equal("PCA64", chain[0].Name);
        Assert.Equal(7, chain[1].GetInt("tables", 0));
        Assert.Equal(6.5, chain[1].GetDouble("width", 0));
        Assert.Equal(3, chain[1].GetInt("probes", 3));
        Assert.Throws<LookalikeException>(() => IndexSpecComponent.ParseChain("E2Lsh(tables=x)")[0].GetInt("tables", 1));
    }

    [Fact]
    public void A_file_that_is_not_an_index_is_rejected()
    {
        using var stream = new MemoryStream("hello world, not an index"u8.ToArray());
        var error = Assert.Throws<LookalikeException>(() => IndexRegistry.Builtin.Load(stream));
        Assert.Contains("magic", error.Message);
    }
}
