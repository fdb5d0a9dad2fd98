using Lookalike.Onnx.Stages;
using Lookalike.Tests.Common;
using Lookalike.Training.Convolutions;
using Lookalike.Training.Networks;

namespace Lookalike.Training.Tests;

/// <summary>The convolutional stage's layers: products against naive loops, gradients against finite differences.</summary>
public sealed class ConvolutionTests
{
    [Theory]
    [InlineData(7, 300, 37)]
    [InlineData(64, 300, 530)]
    [InlineData(4, 16, 16)]
    [InlineData(130, 700, 300)]
    public void Gemm_matches_a_naive_product(int m, int k, int n)
    {
        float[] a = RandomVectors.Gaussian(m, k, seed: 1), b = RandomVectors.Gaussian(k, n, seed: 2);
        float[] c = RandomVectors.Gaussian(m, n, seed: 3), expected = (float[])c.Clone();
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = expected[(i * n) + j];
                for (int p = 0; p < k; p++) sum += (double)a[(i * k) + p] * b[(p * n) + j];
                expected[(i * n) + j] = (float)sum;
            }
        }
        Gemm.Multiply(a, b, c, m, k, n, accumulate: true);
        for (int i = 0; i < c.Length; i++) Assert.True(Math.Abs(c[i] - expected[i]) < 1e-3, $"element {i}: {c[i]} ≠ {expected[i]}");
        var transposed = new float[k * n];
        Gemm.Transpose(b, transposed, k, n);
        Assert.Equal(b[(3 * n) + 2], transposed[(2 * k) + 3]);
        Assert.Equal(b[^1], transposed[^1]);
    }

    [Theory]
    [InlineData(3, 1, 1)]
    [InlineData(3, 2, 1)]
    [InlineData(1, 2, 0)]
    [InlineData(1, 1, 0)]
    public void A_convolution_matches_direct_summation_and_its_gradients_match_finite_differences(int kernel, int stride, int pad)
    {
        const int inputs = 3, outputs = 4, batch = 2, h = 5, w = 6;
        var conv = new Conv2d("c", inputs, outputs, kernel, stride, pad, RandomVectors.Gaussian(outputs, inputs * kernel * kernel, seed: 4));
        var x = new FeatureMaps(inputs, batch, h, w, RandomVectors.Gaussian(inputs * batch, h * w, seed: 5));
        var y = conv.Forward(x, training: false);
        Assert.Equal((conv.OutputSize(h), conv.OutputSize(w)), (y.Height, y.Width));
        for (int o = 0; o < outputs; o++)
        {
            for (int n = 0; n < batch; n++)
            {
                for (int oy = 0; oy < y.Height; oy++)
                {
                    for (int ox = 0; ox < y.Width; ox++)
                    {
                        double sum = 0;
                        for (int c = 0; c < inputs; c++)
                        {
                            for (int dy = 0; dy < kernel; dy++)
                            {
                                for (int dx = 0; dx < kernel; dx++)
                                {
                                    int iy = (oy * stride) + dy - pad, ix = (ox * stride) + dx - pad;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                    sum += conv.Weights.Value[(((((o * inputs) + c) * kernel) + dy) * kernel) + dx] * x.Data[(((((c * batch) + n) * h) + iy) * w) + ix];
                                }
                            }
                        }
                        float actual = y.Data[(((((o * batch) + n) * y.Height) + oy) * y.Width) + ox];
                        Assert.True(Math.Abs(actual - sum) < 1e-5 * Math.Max(1, Math.Abs(sum)), $"{actual} ≠ {sum}");
                    }
                }
            }
        }
        CheckGradients(conv, x);
    }

    [Fact]
    public void A_channel_affine_has_the_gradients_of_finite_differences()
    {
        var affine = new ChannelAffine("bn", [0.5f, -1f, 2f]);
        System.Numerics.Tensors.TensorPrimitives.Multiply(affine.Scale.Value, 0.7f, affine.Scale.Value);
        CheckGradients(affine, new FeatureMaps(3, 2, 3, 3, RandomVectors.Gaussian(6, 9, seed: 6)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_bottleneck_block_has_the_gradients_of_finite_differences(bool projection)
    {
        var block = new Bottleneck(Block(projection ? 6 : 8, 3, 8, projection, seed: 7));
        // As a block's input is a ReLU's output: here in [0.2, 1.2], so that the identity plus ±1.5 stays clear of zero too.
        var random = new Random(8);
        var x = new FeatureMaps(block.Inputs, 2, 6, 6, [.. Enumerable.Range(0, block.Inputs * 72).Select(_ => 0.2f + (float)random.NextDouble())]);
        CheckGradients(block, x);
    }

    [Fact]
    public void A_stage_with_pooling_and_a_dense_loss_has_the_gradients_of_finite_differences()
    {
        var stage = new ConvStage([Block(5, 3, 8, projection: true, seed: 9), Block(8, 3, 8, projection: false, seed: 10)]);
        var x = new FeatureMaps(5, 3, 6, 6, RandomVectors.Gaussian(15, 36, seed: 11));
        int[] labels = [0, 1, 2];
        var head = new Network([new DenseLayer(8, 3, Activation.None, new Random(12), "out")]);
        double Loss() => Losses.SoftmaxCrossEntropy(head.Forward(stage.Forward(x, training: false), 3, training: false), labels, 3).Loss;
        stage.ZeroGradients();
        head.ZeroGradients();
        var features = stage.Forward(x, training: true);
        var (_, gradient) = Losses.SoftmaxCrossEntropy(head.Forward(features, 3, training: true), labels, 3);
        var featureGradient = head.Layers[0].Backward(gradient, 3);
        stage.Backward(featureGradient);
        foreach (var parameter in stage.Parameters)
            NumericalGradient.AssertMatches(parameter.Value, parameter.Gradient, Loss, parameter.Name);
    }

    [Fact]
    public void Folding_the_norms_back_gives_a_stage_that_computes_the_same()
    {
        var stage = new ConvStage([Block(5, 3, 8, projection: true, seed: 13), Block(8, 3, 8, projection: false, seed: 14)]);
        var random = new Random(15);
        foreach (var p in stage.Parameters)
        {
            for (int i = 0; i < p.Value.Length; i++) p.Value[i] += (float)((random.NextDouble() - 0.5) * 0.2);
        }
        var x = new FeatureMaps(5, 2, 6, 6, RandomVectors.Gaussian(10, 36, seed: 16));
        var expected = stage.Forward(x, training: false);
        var refolded = new ConvStage(stage.Folded()).Forward(x, training: false);
        Assert.Equal(expected, refolded, new ToleranceComparer(1e-4f));
    }

    /// <summary>Loss Σ r·y with fixed random r: its gradient with respect to y is r.</summary>
    private static void CheckGradients(MapLayer layer, FeatureMaps x)
    {
        var probe = layer.Forward(x, training: false);
        float[] r = RandomVectors.Gaussian(1, probe.Data.Length, seed: 99);
        double Loss()
        {
            // Summed in double: the difference quotient of a float sum over hundreds of outputs is mostly rounding.
            var y = layer.Forward(x, training: false).Data;
            double sum = 0;
            for (int i = 0; i < y.Length; i++) sum += (double)y[i] * r[i];
            return sum;
        }

        foreach (var p in layer.Parameters) Array.Clear(p.Gradient);
        var y = layer.Forward(x, training: true);
        var inputGradient = layer.Backward(new FeatureMaps(y.Channels, y.Batch, y.Height, y.Width, (float[])r.Clone()))!;
        float[] dx = (float[])inputGradient.Data.Clone();
        foreach (var p in layer.Parameters) NumericalGradient.AssertMatches(p.Value, p.Gradient, Loss, p.Name);
        NumericalGradient.AssertMatches(x.Data, dx, Loss, "input");
    }

    /// <summary>
    /// A block whose every ReLU input stays clear of zero: small weights and biases of ±1.5 by channel, so
    /// that half the channels pass and half are cut (both sides of each ReLU are checked) and no step
    /// of a difference quotient crosses a kink.
    /// </summary>
    internal static BottleneckWeights Block(int inputs, int middle, int outputs, bool projection, int seed)
    {
        var random = new Random(seed);
        ConvWeights Conv(string name, int i, int o, int k, int stride) => new(name, i, o, k, stride, k / 2,
            [.. Enumerable.Range(0, o * i * k * k).Select(_ => (float)((random.NextDouble() - 0.5) * 0.3 / Math.Sqrt(i * k * k)))],
            [.. Enumerable.Range(0, o).Select(c => c % 2 == 0 ? 1.5f : -1.5f)]);
        int stride = projection ? 2 : 1;
        return new BottleneckWeights(Conv("reduce", inputs, middle, 1, stride), Conv("middle", middle, middle, 3, 1),
            Conv("expand", middle, outputs, 1, 1), projection ? Conv("projection", inputs, outputs, 1, stride) : null);
    }

    private sealed class ToleranceComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance * Math.Max(1, Math.Abs(x));

        public int GetHashCode(float obj) => 0;
    }
}
