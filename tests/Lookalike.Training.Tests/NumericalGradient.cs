namespace Lookalike.Training.Tests;

/// <summary>Analytic gradients against central differences of the loss, one value at a time.</summary>
internal static class NumericalGradient
{
    /// <summary>Every analytic gradient within 5 % (relative, floored at 0.01) of the numerical one.</summary>
    public static void AssertMatches(float[] values, float[] analytic, Func<double> loss, string name, float step = 1e-2f)
    {
        double worst = 0;
        for (int i = 0; i < values.Length; i++)
        {
            float original = values[i];
            values[i] = original + step;
            double up = loss();
            values[i] = original - step;
            double down = loss();
            values[i] = original;
            double numerical = (up - down) / (2 * step);
            double error = Math.Abs(numerical - analytic[i]) / Math.Max(1e-2, Math.Abs(numerical) + Math.Abs(analytic[i]));
            worst = Math.Max(worst, error);
        }
        Assert.True(worst < 0.05, $"{name}: worst relative gradient error {worst:G3}");
    }
}
