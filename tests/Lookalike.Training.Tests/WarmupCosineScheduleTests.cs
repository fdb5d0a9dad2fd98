using Lookalike.Training.Networks;

namespace Lookalike.Training.Tests;

/// <summary>The joint phase's learning-rate factor: a linear rise, then half a cosine down to 0.</summary>
public sealed class WarmupCosineScheduleTests
{
    [Fact]
    public void The_factor_rises_linearly_then_falls_along_a_cosine_to_zero()
    {
        var schedule = new WarmupCosineSchedule(WarmupSteps: 4, TotalSteps: 24);
        Assert.Equal([0.2, 0.4, 0.6, 0.8], Enumerable.Range(0, 4).Select(schedule.Factor).Select(f => Math.Round(f, 12)));
        Assert.Equal(1, schedule.Factor(4), 12);
        Assert.Equal(0.5, schedule.Factor(14), 12);
        Assert.Equal(0.5 * (1 + Math.Cos(Math.PI / 4)), schedule.Factor(9), 12);
        Assert.Equal(0, schedule.Factor(24), 12);
        Assert.Equal(0, schedule.Factor(1000), 12);
        var falling = Enumerable.Range(4, 21).Select(schedule.Factor).ToArray();
        Assert.True(falling.Zip(falling.Skip(1)).All(p => p.First > p.Second), "the factor falls at every step after the warm-up");
        Assert.Throws<ArgumentOutOfRangeException>(() => schedule.Factor(-1));
    }

    [Fact]
    public void Without_steps_after_the_warm_up_the_factor_stays_at_one()
    {
        var schedule = new WarmupCosineSchedule(WarmupSteps: 2, TotalSteps: 2);
        Assert.Equal(1.0 / 3, schedule.Factor(0), 12);
        Assert.Equal(1, schedule.Factor(2), 12);
        Assert.Equal(1, schedule.Factor(50), 12);
    }
}
