namespace Lookalike.Onnx.Quantization;

/// <summary>The range of values an activation tensor takes, and the uint8 quantization that covers it.</summary>
internal readonly record struct TensorRange(float Min, float Max)
{
    /// <summary>Scale and zero point of an asymmetric uint8 quantization whose grid contains 0 exactly.</summary>
    public (float Scale, byte ZeroPoint) ToUInt8()
    {
        float low = Math.Min(0, Min), high = Math.Max(0, Max);
        if (!(high > low) || !float.IsFinite(high - low)) return (1f, 0);
        float scale = (high - low) / 255f;
        return (scale, (byte)Math.Clamp(MathF.Round(-low / scale), 0, 255));
    }
}
