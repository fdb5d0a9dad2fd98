using Lookalike.Training.Networks;

namespace Lookalike.Training.Tests;

/// <summary>AdamW's steps: an absolute rate for every value, or one relative to each group's starting size.</summary>
public sealed class AdamWTests
{
    private const double Rate = 1e-3;

    /// <summary>Steps taken with a gradient of 1 everywhere; returns how far each value moved.</summary>
    private static float[] Moved(Parameter p, bool relative, int steps)
    {
        var start = (float[])p.Value.Clone();
        var optimizer = new AdamW([p], Rate, relativeSteps: relative);
        for (int s = 0; s < steps; s++)
        {
            Array.Fill(p.Gradient, 1f);
            optimizer.Step();
        }
        return [.. start.Zip(p.Value, (a, b) => a - b)];
    }

    [Fact]
    public void Absolute_steps_move_every_value_by_the_rate_whatever_its_size()
    {
        var moved = Moved(new Parameter("w", [0.01f, -0.01f, 5f, -5f]) { GroupSize = 2 }, relative: false, steps: 3);
        Assert.All(moved, m => Assert.Equal(3 * Rate, m, 6));
    }

    [Fact]
    public void Relative_steps_move_each_group_by_the_rate_times_its_starting_root_mean_square()
    {
        // Two output channels of three weights: rms 0.01 and 2 (the rms is taken once: the same steps follow).
        var moved = Moved(new Parameter("w", [0.01f, -0.01f, 0.01f, 2f, -2f, 2f]) { GroupSize = 3 }, relative: true, steps: 2);
        Assert.All(moved.Take(3), m => Assert.Equal(2 * Rate * 0.01, m, 8));
        Assert.All(moved.Skip(3), m => Assert.Equal(2 * Rate * 2, m, 6));
    }

    [Fact]
    public void A_group_of_zeros_takes_the_whole_arrays_size_and_an_array_of_zeros_steps_absolutely()
    {
        var moved = Moved(new Parameter("w", [0f, 0f, 3f, -3f]) { GroupSize = 2 }, relative: true, steps: 1);
        double rms = Math.Sqrt(18.0 / 4);
        Assert.All(moved.Take(2), m => Assert.Equal(Rate * rms, m, 6));
        Assert.All(moved.Skip(2), m => Assert.Equal(Rate * 3, m, 6));
        Assert.All(Moved(new Parameter("b", new float[4]), relative: true, steps: 1), m => Assert.Equal(Rate, m, 6));
    }

    [Fact]
    public void Without_a_group_size_the_whole_array_is_one_group()
    {
        var moved = Moved(new Parameter("w", [1f, -1f, 7f, -7f]), relative: true, steps: 1);
        Assert.All(moved, m => Assert.Equal(Rate * 5, m, 6));
    }
}
