using Lookalike.Errors;
using Lookalike.Evaluation.Sweeps;

namespace Lookalike.Evaluation.Tests.Sweeps;

public sealed class SweepPickerTests
{
    private static SweepRow Row(string spec, double recall, double map, double visited, double latency, bool exact = false) =>
        new(spec, new Dictionary<string, string>(), exact, map, map, recall, visited, latency, 1000 / latency, 0, null);

    // Hand-made: the cheapest row above 0.95 recall is "b" (4 % visited), not "c" (higher recall, dearer) nor "a" (too low).
    private static readonly SweepRow[] Table =
    [
        Row("exact", 1.00, 0.60, 100, 40, exact: true),
        Row("a", 0.90, 0.55, 2, 1),
        Row("b", 0.96, 0.58, 4, 2),
        Row("c", 0.99, 0.59, 9, 5),
        Row("d", 0.97, 0.58, 4, 3),
    ];

    [Fact]
    public void The_cheapest_row_meeting_the_target_wins()
    {
        Assert.Equal("b", SweepPicker.Pick(Table, "recall>=0.95")!.Spec);
        Assert.Equal("a", SweepPicker.Pick(Table, "recall >= 0.9")!.Spec);
        Assert.Equal("c", SweepPicker.Pick(Table, "recall>0.97")!.Spec);
        Assert.Equal("exact", SweepPicker.Pick(Table, "recall>=1")!.Spec);
    }

    [Fact]
    public void Conditions_combine()
    {
        Assert.Equal("b", SweepPicker.Pick(Table, "map>=0.58 and visited<=5")!.Spec);
        Assert.Equal("c", SweepPicker.Pick(Table, "recall>=0.98, latency<10")!.Spec);
        Assert.Null(SweepPicker.Pick(Table, "recall>=0.98 && visited<5"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("recall")]
    [InlineData("speed>=3")]
    [InlineData("recall=>0.9")]
    public void Malformed_targets_are_refused(string target) =>
        Assert.Throws<LookalikeException>(() => SweepPicker.Pick(Table, target));
}
