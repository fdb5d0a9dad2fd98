namespace Lookalike.Onnx.Quantization;

/// <summary>How activation ranges are taken from the calibration images.</summary>
public enum CalibrationMethod
{
    /// <summary>The smallest and largest value seen.</summary>
    MinMax,

    /// <summary>The <see cref="QuantizationOptions.Percentile"/>-th percentile of |value|, clipping rare outliers.</summary>
    Percentile,
}

/// <summary>Settings of a static int8 quantization.</summary>
public sealed record QuantizationOptions
{
    /// <summary>How activation ranges are chosen.</summary>
    public CalibrationMethod Method { get; init; } = CalibrationMethod.Percentile;

    /// <summary>The percentile kept by <see cref="CalibrationMethod.Percentile"/> (e.g. 99.999).</summary>
    public double Percentile { get; init; } = 99.999;

    /// <summary>
    /// Weights in 7 bits (±63) instead of 8 (the default): ONNX Runtime's u8×s8 kernels on x86 CPUs
    /// without VNNI add pairs of products in 16 bits, which full 8-bit weights can saturate (features
    /// measured 0.93 cosine from the float model's on such a CPU, 0.995 with 7 bits); a model may be
    /// built on one CPU and run on another, so the range that is exact everywhere is the default.
    /// </summary>
    public bool ReduceRange { get; init; } = true;

    /// <summary>Fewest usable calibration images accepted.</summary>
    public int MinimumImages { get; init; } = 200;

    /// <summary>Most calibration images used (an even sample of the folder when it holds more).</summary>
    public int MaximumImages { get; init; } = 500;

    /// <summary>Threads ONNX Runtime uses while calibrating (0 = one per core).</summary>
    public int Threads { get; init; }
}

/// <summary>What a quantization did.</summary>
/// <param name="OutputPath">The int8 model.</param>
/// <param name="CalibrationImages">Images whose activations set the ranges.</param>
/// <param name="RejectedImages">Calibration files that could not be decoded.</param>
/// <param name="QuantizedNodes">Operators given int8 inputs, by type (Conv, Gemm, Add).</param>
/// <param name="FoldedRelus">ReLUs absorbed into the quantization of their producer's output.</param>
/// <param name="InputBytes">Size of the float model.</param>
/// <param name="OutputBytes">Size of the int8 model.</param>
/// <param name="Elapsed">Total time.</param>
public sealed record QuantizationReport(string OutputPath, int CalibrationImages, int RejectedImages,
    IReadOnlyDictionary<string, int> QuantizedNodes, int FoldedRelus, long InputBytes, long OutputBytes, TimeSpan Elapsed);
