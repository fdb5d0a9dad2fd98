using Lookalike.Errors;
using Lookalike.Evaluation.Sweeps;
using Lookalike.Indexes;

namespace Lookalike.Evaluation.Tests.Sweeps;

public sealed class SpecGridTests
{
    [Fact]
    public void Ranges_and_lists_expand_to_the_cartesian_product()
    {
        var points = SpecGrid.Expand("E2Lsh(tables=3..5,projections=2,4,width=0.5..1.5:0.5)");
        Assert.Equal(3 * 2 * 3, points.Count);
        Assert.Equal("E2Lsh(tables=3,projections=2,width=0.5)", points[0].Spec);
        Assert.Equal("E2Lsh(tables=5,projections=4,width=1.5)", points[^1].Spec);
        Assert.Equal(["3", "4", "5"], points.Select(p => p.Parameters["tables"]).Distinct());
        Assert.Equal(["0.5", "1", "1.5"], points.Select(p => p.Parameters["width"]).Distinct());
        foreach (var point in points) IndexRegistry.Builtin.Create(8, point.Spec, DistanceMetric.L2).Dispose();
    }

    [Fact]
    public void A_plain_spec_is_one_point()
    {
        var point = Assert.Single(SpecGrid.Expand("Flat"));
        Assert.Equal("Flat", point.Spec);
        Assert.Empty(point.Parameters);
        Assert.Single(SpecGrid.Expand("HyperplaneLsh(bits=12)"));
    }

    [Theory]
    [InlineData("E2Lsh(tables=5..3)")]
    [InlineData("E2Lsh(tables=1..9:0)")]
    [InlineData("E2Lsh(tables=a..b)")]
    [InlineData("E2Lsh(3,tables=4)")]
    [InlineData("E2Lsh(tables=1,tables=2)")]
    [InlineData("E2Lsh(tables=1..100000)")]
    [InlineData("E2Lsh(tables=2")]
    public void Malformed_patterns_are_refused(string pattern) =>
        Assert.Throws<LookalikeException>(() => SpecGrid.Expand(pattern));
}
