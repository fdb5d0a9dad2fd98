using Lookalike.Tests.Common;
using Lookalike.Training.Networks;

namespace Lookalike.Training.Tests;

/// <summary>Analytic gradients against central differences.</summary>
public sealed class GradientCheckTests
{

    private static Network SmallNetwork(int seed)
    {
        var random = new Random(seed);
        return new Network([
            new DenseLayer(6, 7, Activation.Tanh, random, "a"),
            new DenseLayer(7, 5, Activation.Relu, random, "b"),
            new DenseLayer(5, 3, Activation.None, random, "c"),
        ]);
    }

    [Fact]
    public void Dense_layers_with_softmax_cross_entropy()
    {
        var network = SmallNetwork(1);
        const int batch = 5;
        float[] x = RandomVectors.Gaussian(batch, 6, seed: 2);
        int[] y = [0, 2, 1, 1, 0];
        double Loss() => Losses.SoftmaxCrossEntropy(network.Forward(x, batch, training: false), y, 3).Loss;

        network.ZeroGradients();
        var (_, gradient) = Losses.SoftmaxCrossEntropy(network.Forward(x, batch, training: true), y, 3);
        network.Backward(gradient, batch);
        foreach (var parameter in network.Parameters) NumericalGradient.AssertMatches(parameter.Value, parameter.Gradient, Loss, parameter.Name);
    }

    [Fact]
    public void Softmax_cross_entropy_of_confident_logits_stays_finite_and_exact()
    {
        // exp(500) overflows a float: without the row's maximum taken off first the loss was NaN; e^-997 underflows to 0.
        float[] logits = [500, 480, -20, 3, 1000, 999];
        var (loss, gradient) = Losses.SoftmaxCrossEntropy(logits, [1, 0], 3);
        double first = 20 + Math.Log(1 + Math.Exp(-20)), second = 997 + Math.Log(1 + Math.Exp(-1));
        Assert.Equal((first + second) / 2, loss, 4);
        Assert.All(gradient, g => Assert.True(float.IsFinite(g)));
        Assert.Equal((1 / (1 + Math.Exp(-20))) / 2, gradient[0], 5);
        Assert.Equal((1 / (1 + Math.Exp(20)) - 1) / 2, gradient[1], 5);
        Assert.Equal(-0.5, gradient[3], 5);
        Assert.Equal(1 / (1 + Math.Exp(-1)) / 2, gradient[4], 5);
    }

    [Fact]
    public void Supervised_contrastive_loss_with_respect_to_embeddings()
    {
        const int batch = 8, width = 4;
        float[] z = RandomVectors.Gaussian(batch, width, seed: 3);
        int[] y = [0, 0, 1, 1, 2, 2, 0, 3];
        var (_, gradient) = Losses.SupervisedContrastive(z, y, width, temperature: 0.5);
        NumericalGradient.AssertMatches(z, gradient, () => Losses.SupervisedContrastive(z, y, width, temperature: 0.5).Loss, "embeddings");
    }

    [Fact]
    public void Contrastive_loss_through_the_network()
    {
        var network = SmallNetwork(4);
        const int batch = 6;
        float[] x = RandomVectors.Gaussian(batch, 6, seed: 5);
        int[] y = [0, 1, 0, 1, 2, 2];
        double Loss() => Losses.SupervisedContrastive(network.Forward(x, batch, training: false), y, 3, 0.3).Loss;
        network.ZeroGradients();
        var (_, gradient) = Losses.SupervisedContrastive(network.Forward(x, batch, training: true), y, 3, 0.3);
        network.Backward(gradient, batch);
        // A smaller step: the normalisation and the temperature make this loss curve sharply.
        foreach (var parameter in network.Parameters) NumericalGradient.AssertMatches(parameter.Value, parameter.Gradient, Loss, parameter.Name, step: 1e-3f);
    }
}
