namespace Lookalike.Training.Networks;

/// <summary>
/// A learning-rate factor per step, as fine-tuning schedules use it: rising linearly over the first
/// <see cref="WarmupSteps"/> (Adam's first steps are its largest, and the weights start trained),
/// then falling along half a cosine to 0 at <see cref="TotalSteps"/>.
/// </summary>
/// <param name="WarmupSteps">Steps of the linear rise.</param>
/// <param name="TotalSteps">The step at which the factor reaches 0 (and stays).</param>
public sealed record WarmupCosineSchedule(int WarmupSteps, int TotalSteps)
{
    /// <summary>The factor of step <paramref name="step"/> (0-based): (step + 1) / (warm-up + 1) while warming up, then ½(1 + cos π·progress).</summary>
    public double Factor(int step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        if (step < WarmupSteps) return (step + 1.0) / (WarmupSteps + 1.0);
        if (TotalSteps <= WarmupSteps) return 1;
        double progress = Math.Min(1, (double)(step - WarmupSteps) / (TotalSteps - WarmupSteps));
        return 0.5 * (1 + Math.Cos(Math.PI * progress));
    }
}
