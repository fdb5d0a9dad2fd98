namespace Lookalike.Training.Convolutions;

/// <summary>max(0, x), in place on its input (which no one needs afterwards); the gradient passes where the output is positive.</summary>
public sealed class Relu : MapLayer
{
    private FeatureMaps? _output;

    /// <inheritdoc/>
    public override FeatureMaps Forward(FeatureMaps input, bool training)
    {
        System.Numerics.Tensors.TensorPrimitives.Max(input.Data, 0f, input.Data);
        if (training) _output = input;
        return input;
    }

    /// <inheritdoc/>
    public override FeatureMaps? Backward(FeatureMaps outputGradient, bool needInputGradient = true)
    {
        var output = _output ?? throw new InvalidOperationException("ReLU: backward before a training forward pass.");
        if (!needInputGradient) return null;
        var gradient = outputGradient.Data;
        var values = output.Data;
        for (int i = 0; i < gradient.Length; i++)
        {
            if (values[i] <= 0) gradient[i] = 0;
        }
        return outputGradient;
    }
}
