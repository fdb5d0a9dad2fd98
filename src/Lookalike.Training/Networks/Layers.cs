using System.Numerics.Tensors;

namespace Lookalike.Training.Networks;

/// <summary>Non-linearity after a dense layer.</summary>
public enum Activation
{
    /// <summary>Identity (logits, embeddings).</summary>
    None,

    /// <summary>max(0, x).</summary>
    Relu,

    /// <summary>tanh(x).</summary>
    Tanh,
}

/// <summary>One layer of a <see cref="Network"/>, working on mini-batches (rows = examples).</summary>
public abstract class Layer
{
    /// <summary>Input width.</summary>
    public abstract int Inputs { get; }

    /// <summary>Output width.</summary>
    public abstract int Outputs { get; }

    /// <summary>Trainable parameters (none for dropout).</summary>
    public virtual IReadOnlyList<Parameter> Parameters => [];

    /// <summary>Maps a batch; remembers what <see cref="Backward"/> needs.</summary>
    public abstract float[] Forward(float[] input, int batch, bool training);

    /// <summary>
    /// Given ∂loss/∂output, accumulates parameter gradients and returns ∂loss/∂input (an empty array
    /// when <paramref name="needInputGradient"/> is false).
    /// </summary>
    public abstract float[] Backward(float[] outputGradient, int batch, bool needInputGradient = true);

    /// <summary>The layer as written in a head spec, e.g. <c>dense(256,relu)</c>.</summary>
    public abstract string Describe();
}

/// <summary>y = activation(x·W + b), W stored in×out.</summary>
public sealed class DenseLayer : Layer
{
    private float[] _input = [];
    private float[] _output = [];

    /// <summary>A layer with He/Glorot-scaled random weights drawn from <paramref name="random"/>.</summary>
    public DenseLayer(int inputs, int outputs, Activation activation, Random random, string name)
    {
        Activation = activation;
        double scale = activation == Activation.Relu ? Math.Sqrt(2.0 / inputs) : Math.Sqrt(1.0 / inputs);
        var weights = new float[inputs * outputs];
        for (int i = 0; i < weights.Length; i++) weights[i] = (float)(Gaussian(random) * scale);
        Weights = new Parameter($"{name}.weights", weights);
        Bias = new Parameter($"{name}.bias", new float[outputs]) { Decays = false };
        Inputs = inputs;
        Outputs = outputs;
    }

    /// <inheritdoc/>
    public override int Inputs { get; }

    /// <inheritdoc/>
    public override int Outputs { get; }

    /// <summary>The non-linearity.</summary>
    public Activation Activation { get; }

    /// <summary>W (in×out).</summary>
    public Parameter Weights { get; }

    /// <summary>b (out).</summary>
    public Parameter Bias { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<Parameter> Parameters => [Weights, Bias];

    /// <inheritdoc/>
    public override float[] Forward(float[] input, int batch, bool training)
    {
        var output = new float[batch * Outputs];
        MatrixKernels.Multiply(input, Weights.Value, output, batch, Inputs, Outputs);
        for (int i = 0; i < batch; i++)
        {
            var row = output.AsSpan(i * Outputs, Outputs);
            TensorPrimitives.Add(row, Bias.Value, row);
            switch (Activation)
            {
                case Activation.Relu:
                    TensorPrimitives.Max(row, 0f, row);
                    break;
                case Activation.Tanh:
                    TensorPrimitives.Tanh(row, row);
                    break;
            }
        }
        if (training)
        {
            _input = input;
            _output = output;
        }
        return output;
    }

    /// <inheritdoc/>
    public override float[] Backward(float[] outputGradient, int batch, bool needInputGradient = true)
    {
        var gradient = (float[])outputGradient.Clone();
        for (int i = 0; i < gradient.Length; i++)
        {
            gradient[i] *= Activation switch
            {
                Activation.Relu => _output[i] > 0 ? 1f : 0f,
                Activation.Tanh => 1f - (_output[i] * _output[i]),
                _ => 1f,
            };
        }
        MatrixKernels.MultiplyTransposedA(_input, gradient, Weights.Gradient, batch, Inputs, Outputs, accumulate: true);
        for (int i = 0; i < batch; i++) TensorPrimitives.Add(Bias.Gradient, gradient.AsSpan(i * Outputs, Outputs), Bias.Gradient);
        if (!needInputGradient) return [];
        var inputGradient = new float[batch * Inputs];
        MatrixKernels.MultiplyTransposedB(gradient, Weights.Value, inputGradient, batch, Outputs, Inputs);
        return inputGradient;
    }

    /// <inheritdoc/>
    public override string Describe() => Activation == Activation.None
        ? FormattableString.Invariant($"dense({Outputs})")
        : FormattableString.Invariant($"dense({Outputs},{Activation.ToString().ToLowerInvariant()})");

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}

/// <summary>Inverted dropout: in training, zeroes each unit with probability p and scales the rest by 1/(1−p).</summary>
public sealed class DropoutLayer(int width, double rate, Random random) : Layer
{
    private float[] _mask = [];

    /// <summary>Probability of dropping a unit.</summary>
    public double Rate { get; } = rate is >= 0 and < 1 ? rate : throw new ArgumentOutOfRangeException(nameof(rate));

    /// <inheritdoc/>
    public override int Inputs => width;

    /// <inheritdoc/>
    public override int Outputs => width;

    /// <inheritdoc/>
    public override float[] Forward(float[] input, int batch, bool training)
    {
        if (!training || Rate == 0) return input;
        float keep = (float)(1 / (1 - Rate));
        _mask = new float[input.Length];
        var output = new float[input.Length];
        for (int i = 0; i < input.Length; i++)
        {
            _mask[i] = random.NextDouble() >= Rate ? keep : 0f;
            output[i] = input[i] * _mask[i];
        }
        return output;
    }

    /// <inheritdoc/>
    public override float[] Backward(float[] outputGradient, int batch, bool needInputGradient = true)
    {
        if (Rate == 0 || !needInputGradient) return needInputGradient ? outputGradient : [];
        var gradient = new float[outputGradient.Length];
        TensorPrimitives.Multiply(outputGradient, _mask, gradient);
        return gradient;
    }

    /// <inheritdoc/>
    public override string Describe() => FormattableString.Invariant($"dropout({Rate})");
}
