using Lookalike.Onnx.Stages;
using Lookalike.Tests.Common;
using Lookalike.Training.Convolutions;
namespace Lookalike.Training.Tests;
public sealed class ScratchSpeed(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public void Speed()
    {
        var stage = new ConvStage(ResNetStage.Read(TestData.ModelPath).Blocks);
        int batch = 32;
        var x = new FeatureMaps(1024, batch, 14, 14, RandomVectors.Gaussian(1024 * batch, 196, seed: 1));
        for (int i = 0; i < x.Data.Length; i++) x.Data[i] = Math.Max(0, x.Data[i]);
        stage.Forward(x, true);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var f = stage.Forward(x, true);
        double fwd = sw.Elapsed.TotalSeconds;
        sw.Restart();
        stage.Backward(new float[f.Length]);
        double bwd = sw.Elapsed.TotalSeconds;
        double macs = stage.MultiplyAdds(14, 14);
        output.WriteLine($"fwd {fwd:F2}s ({batch / fwd:F1} img/s, {2 * macs * batch / fwd / 1e9:F1} GFLOP/s) bwd {bwd:F2}s ({4 * macs * batch / bwd / 1e9:F1} GFLOP/s) train {batch / (fwd + bwd):F1} img/s");
        float[] a = RandomVectors.Gaussian(512, 4608, 1), b = RandomVectors.Gaussian(4608, 1568, 2), c = new float[512 * 1568];
        Gemm.Multiply(a, b, c, 512, 4608, 1568);
        sw.Restart();
        Gemm.Multiply(a, b, c, 512, 4608, 1568);
        output.WriteLine($"gemm 512x4608x1568: {2.0 * 512 * 4608 * 1568 / sw.Elapsed.TotalSeconds / 1e9:F1} GFLOP/s");
    }
}
