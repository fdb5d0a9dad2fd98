namespace Lookalike.Onnx.Stages;

/// <summary>The non-linearity after a <see cref="DenseWeights"/> layer.</summary>
public enum DenseActivation
{
    /// <summary>Identity.</summary>
    None,

    /// <summary>max(0, x).</summary>
    Relu,

    /// <summary>tanh(x).</summary>
    Tanh,
}

/// <summary>One dense layer, y = activation(x·W + b), as plain weights for an ONNX graph.</summary>
/// <param name="Inputs">Input width.</param>
/// <param name="Outputs">Output width.</param>
/// <param name="Weights">W, inputs × outputs, row-major.</param>
/// <param name="Bias">b (outputs).</param>
/// <param name="Activation">The non-linearity.</param>
public sealed record DenseWeights(int Inputs, int Outputs, float[] Weights, float[] Bias, DenseActivation Activation);
