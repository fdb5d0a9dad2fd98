using Lookalike.Training.Networks;

namespace Lookalike.Training.Convolutions;

/// <summary>
/// y = scale[c]·x + shift[c] per channel: a batch normalisation with frozen running statistics,
/// as fine-tuning with small batches uses it. Started from a model whose batch norms are folded
/// into its convolutions, the scale starts at 1 and the shift at the folded bias, so the stage
/// first computes exactly what the model did; both stay trainable.
/// </summary>
public sealed class ChannelAffine : MapLayer
{
    private float[]? _output;
    private float[]? _inputGradient;
    private FeatureMaps? _input;

    /// <summary>Scale 1 and shift <paramref name="shift"/> (copied) for each channel.</summary>
    public ChannelAffine(string name, ReadOnlySpan<float> shift)
    {
        Name = name;
        var scale = new float[shift.Length];
        Array.Fill(scale, 1f);
        Scale = new Parameter($"{name}.scale", scale) { Decays = false };
        Shift = new Parameter($"{name}.shift", shift.ToArray()) { Decays = false };
    }

    /// <summary>Name in reports and exports.</summary>
    public string Name { get; }

    /// <summary>Per-channel factor.</summary>
    public Parameter Scale { get; }

    /// <summary>Per-channel offset.</summary>
    public Parameter Shift { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<Parameter> Parameters => [Scale, Shift];

    /// <inheritdoc/>
    public override FeatureMaps Forward(FeatureMaps input, bool training)
    {
        if (input.Channels != Scale.Value.Length) throw new ArgumentException($"'{Name}' scales {Scale.Value.Length} channels, got {input.Channels}.");
        var output = new FeatureMaps(input.Channels, input.Batch, input.Height, input.Width, Reuse(ref _output, input.Data.Length));
        int plane = input.Plane;
        for (int c = 0; c < input.Channels; c++)
        {
            var source = input.Data.AsSpan(c * plane, plane);
            var target = output.Data.AsSpan(c * plane, plane);
            System.Numerics.Tensors.TensorPrimitives.Multiply(source, Scale.Value[c], target);
            System.Numerics.Tensors.TensorPrimitives.Add(target, Shift.Value[c], target);
        }
        if (training) _input = input;
        return output;
    }

    /// <inheritdoc/>
    public override FeatureMaps? Backward(FeatureMaps outputGradient, bool needInputGradient = true)
    {
        var input = _input ?? throw new InvalidOperationException($"'{Name}': backward before a training forward pass.");
        int plane = input.Plane;
        var inputGradient = needInputGradient
            ? new FeatureMaps(input.Channels, input.Batch, input.Height, input.Width, Reuse(ref _inputGradient, input.Data.Length))
            : null;
        for (int c = 0; c < input.Channels; c++)
        {
            var gradient = outputGradient.Data.AsSpan(c * plane, plane);
            Scale.Gradient[c] += System.Numerics.Tensors.TensorPrimitives.Dot(gradient, input.Data.AsSpan(c * plane, plane));
            Shift.Gradient[c] += System.Numerics.Tensors.TensorPrimitives.Sum(gradient);
            if (inputGradient is not null)
                System.Numerics.Tensors.TensorPrimitives.Multiply(gradient, Scale.Value[c], inputGradient.Data.AsSpan(c * plane, plane));
        }
        return inputGradient;
    }
}
