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

    [Fact]
    public void Batch_statistics_start_as_the_identity_follow_later_batches_and_are_the_identity_at_inference()
    {
        var statistics = new BatchStatistics("bn", 2, momentum: 0.5);
        var first = new FeatureMaps(2, 3, 2, 2, [.. RandomVectors.Gaussian(2, 12, seed: 20).Select((v, i) => i < 12 ? (2 * v) + 5 : v - 3)]);
        Assert.False(statistics.HasStatistics);
        Assert.Equal(first.Data, statistics.Forward(first, training: true).Data, new ToleranceComparer(1e-5f));
        Assert.True(statistics.HasStatistics);
        double firstMean = first.Data.Take(12).Average();
        Assert.Equal(firstMean, statistics.RunningMean[0], 5);

        // A second batch shifted by 4: normalised by its own mean, put back at the running one; the running mean moves halfway.
        var second = new FeatureMaps(2, 3, 2, 2, [.. first.Data.Select(v => v + 4)]);
        var y = statistics.Forward(second, training: true).Data;
        Assert.Equal(first.Data, y, new ToleranceComparer(1e-5f));
        Assert.Equal(firstMean + 2, statistics.RunningMean[0], 5);
        Assert.Equal(first.Data.Take(12).Select(v => (v - firstMean) * (v - firstMean)).Average(), statistics.RunningVariance[0], 4);
        Assert.Same(second, statistics.Forward(second, training: false));
        Assert.Throws<ArgumentException>(() => statistics.Forward(new FeatureMaps(3, 1, 2, 2, new float[12]), training: true));
        Assert.Throws<ArgumentOutOfRangeException>(() => statistics.Momentum = 1.5);
        Assert.Throws<ArgumentOutOfRangeException>(() => statistics.Momentum = double.NaN);
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchStatistics("bn", 2, momentum: -0.1));
    }

    [Fact]
    public void Batch_statistics_have_the_gradients_of_finite_differences()
    {
        var statistics = new BatchStatistics("bn", 3);
        var x = new FeatureMaps(3, 2, 3, 3, [.. RandomVectors.Gaussian(6, 9, seed: 21).Select((v, i) => (v * (1 + (i / 18))) + (i / 18))]);
        statistics.Forward(x, training: true);
        // Running statistics apart from the batch's, so that the scale σ_running/σ_batch is not 1; held still while checking.
        for (int c = 0; c < 3; c++) (statistics.RunningMean[c], statistics.RunningVariance[c]) = (c - 1, 0.5 + c);
        statistics.Momentum = 0;
        CheckGradients(statistics, x, lossInTraining: true);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public void A_bottleneck_block_has_the_gradients_of_finite_differences(bool projection, bool batchStatistics)
    {
        var block = new Bottleneck(Block(projection ? 6 : 8, 3, 8, projection, seed: 7), batchStatistics);
        // As a block's input is a ReLU's output: here in [0.2, 1.2], so that the identity plus ±1.5 stays clear of zero too. With batch
        // statistics, in [−0.5, 0.5]: a batch norm takes out what the convolution adds to each channel's mean, so inputs far from zero
        // leave its weights small gradients, below the difference quotient's rounding.
        var random = new Random(8);
        float low = batchStatistics ? -0.5f : 0.2f;
        var x = new FeatureMaps(block.Inputs, 2, 6, 6, [.. Enumerable.Range(0, block.Inputs * 72).Select(_ => low + (float)random.NextDouble())]);
        Assert.Equal(batchStatistics ? (projection ? 4 : 3) : 0, block.BatchStatisticsLayers.Count);
        if (batchStatistics)
        {
            // The first batch sets the statistics (the block then computes what it did); the check holds them still.
            var frozen = new Bottleneck(Block(projection ? 6 : 8, 3, 8, projection, seed: 7)).Forward(x, training: false).Data;
            Assert.Equal(frozen, block.Forward(x, training: true).Data, new ToleranceComparer(1e-4f));
            foreach (var statistics in block.BatchStatisticsLayers) statistics.Momentum = 0;
        }
        // The batch's deviation divides: the loss curves more, so the difference quotient takes a smaller step.
        CheckGradients(block, x, lossInTraining: batchStatistics, step: batchStatistics ? 5e-3f : 1e-2f);
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

    /// <summary>Loss Σ r·y with fixed random r: its gradient with respect to y is r (of the training pass with <paramref name="lossInTraining"/>).</summary>
    private static void CheckGradients(MapLayer layer, FeatureMaps x, bool lossInTraining = false, float step = 1e-2f)
    {
        var probe = layer.Forward(x, training: false);
        float[] r = RandomVectors.Gaussian(1, probe.Data.Length, seed: 99);
        double Loss()
        {
            // Summed in double: the difference quotient of a float sum over hundreds of outputs is mostly rounding.
            var y = layer.Forward(x, training: lossInTraining).Data;
            double sum = 0;
            for (int i = 0; i < y.Length; i++) sum += (double)y[i] * r[i];
            return sum;
        }

        foreach (var p in layer.Parameters) Array.Clear(p.Gradient);
        var y = layer.Forward(x, training: true);
        var inputGradient = layer.Backward(new FeatureMaps(y.Channels, y.Batch, y.Height, y.Width, (float[])r.Clone()))!;
        float[] dx = (float[])inputGradient.Data.Clone();
        foreach (var p in layer.Parameters) NumericalGradient.AssertMatches(p.Value, p.Gradient, Loss, p.Name, step);
        NumericalGradient.AssertMatches(x.Data, dx, Loss, "input", step);
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
