using Lookalike.Onnx.Stages;
using Lookalike.Tests.Common;
using Lookalike.Training.Convolutions;

namespace Lookalike.Training.Tests;

/// <summary>
/// The real conv5 stage at its real sizes (1024 × 14 × 14 maps, 15M weights), where the products run
/// in parallel and in packed panels: each parameter's gradient against the central difference of the
/// loss along that gradient (one value at a time would drown in float noise).
/// </summary>
public sealed class StageGradientAtScaleTests
{
    [SharedDataFact]
    public void Every_parameter_of_the_real_stage_has_the_gradient_of_directional_finite_differences()
    {
        var stage = new ConvStage(ResNetStage.Read(TestData.ModelPath).Blocks);
        const int batch = 3;
        var maps = new FeatureMaps(1024, batch, 14, 14, RandomVectors.Gaussian(1024 * batch, 196, seed: 7));
        for (int i = 0; i < maps.Data.Length; i++) maps.Data[i] = Math.Max(0, maps.Data[i]);
        float[] weights = RandomVectors.Gaussian(batch, stage.Outputs, seed: 8);
        double Loss()
        {
            var features = stage.Forward(maps, training: false);
            double sum = 0;
            for (int i = 0; i < features.Length; i++) sum += (double)features[i] * weights[i];
            return sum;
        }

        stage.ZeroGradients();
        var trained = stage.Forward(maps, training: true);
        Assert.Equal(batch * stage.Outputs, trained.Length);
        stage.Backward(weights);
        int checkedParameters = 0;
        foreach (var parameter in stage.Parameters)
        {
            var values = parameter.Value;
            var original = (float[])values.Clone();
            double rms = Math.Sqrt(values.Sum(v => (double)v * v) / values.Length);
            // A step along the gradient itself, 0.1 % of the values' size: a random direction's derivative would average to noise.
            double gradientRms = Math.Sqrt(parameter.Gradient.Sum(g => (double)g * g) / values.Length);
            Assert.True(gradientRms > 0, $"{parameter.Name} has no gradient");
            float factor = (float)(1e-3 * Math.Max(rms, 1e-2) / gradientRms);
            var direction = parameter.Gradient.Select(g => g * factor).ToArray();
            double analytic = 0;
            for (int i = 0; i < values.Length; i++) analytic += (double)parameter.Gradient[i] * direction[i];
            for (int i = 0; i < values.Length; i++) values[i] = original[i] + direction[i];
            double up = Loss();
            for (int i = 0; i < values.Length; i++) values[i] = original[i] - direction[i];
            double down = Loss();
            original.CopyTo(values, 0);
            double numerical = (up - down) / 2;
            double error = Math.Abs(numerical - analytic) / Math.Max(1e-6, Math.Abs(numerical) + Math.Abs(analytic));
            Assert.True(error < 0.05, $"{parameter.Name}: directional derivative {analytic:G6} analytic, {numerical:G6} numerical");
            checkedParameters++;
        }
        Assert.Equal((3 * 3 * 3) + 3, checkedParameters);
    }
}
