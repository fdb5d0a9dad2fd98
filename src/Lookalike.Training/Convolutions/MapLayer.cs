using Lookalike.Training.Networks;

namespace Lookalike.Training.Convolutions;

/// <summary>One step of a convolutional stage, on <see cref="FeatureMaps"/> batches.</summary>
public abstract class MapLayer
{
    /// <summary>Trainable parameters.</summary>
    public virtual IReadOnlyList<Parameter> Parameters => [];

    /// <summary>Maps a batch; in training, remembers what <see cref="Backward"/> needs.</summary>
    public abstract FeatureMaps Forward(FeatureMaps input, bool training);

    /// <summary>
    /// Given ∂loss/∂output of the last training forward pass, accumulates parameter gradients and
    /// returns ∂loss/∂input (null when <paramref name="needInputGradient"/> is false).
    /// </summary>
    public abstract FeatureMaps? Backward(FeatureMaps outputGradient, bool needInputGradient = true);

    /// <summary>A buffer of <paramref name="length"/> floats kept between steps (reallocated only when the shape changes).</summary>
    protected static float[] Reuse(ref float[]? buffer, long length)
    {
        if (buffer is null || buffer.Length != length) buffer = new float[length];
        return buffer;
    }
}
