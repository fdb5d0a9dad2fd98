using Lookalike.Training.Networks;

namespace Lookalike.Training.Convolutions;

/// <summary>
/// A square convolution without bias (the bias lives in the <see cref="ChannelAffine"/> after it):
/// the input unfolded into columns (im2col: one row per input channel × kernel offset, one column
/// per output position of the batch), then weights [out × in·k·k] · columns on <see cref="Gemm"/>.
/// A 1×1 convolution with stride 1 multiplies the maps themselves. Weights are stored as ONNX's
/// [out, in, k, k].
/// </summary>
public sealed class Conv2d : MapLayer
{
    private float[]? _columns;
    private float[]? _gradientTransposed;
    private float[]? _weightGradientTransposed;
    private float[]? _weightGradient;
    private float[]? _transposed;
    private float[]? _output;
    private float[]? _inputGradient;
    private float[]? _columnGradient;
    private FeatureMaps? _input;
    private bool _columnsOfInput;

    /// <summary>A convolution with the given weights ([out, in, kernel, kernel], copied).</summary>
    public Conv2d(string name, int inputs, int outputs, int kernel, int stride, int pad, ReadOnlySpan<float> weights)
    {
        if (inputs < 1 || outputs < 1 || kernel < 1 || stride < 1 || pad < 0 || pad >= kernel)
            throw new ArgumentException($"Convolution '{name}': {inputs}→{outputs}, kernel {kernel}, stride {stride}, pad {pad} is not a convolution.");
        if (weights.Length != (long)outputs * inputs * kernel * kernel)
            throw new ArgumentException($"Convolution '{name}' needs {outputs}×{inputs}×{kernel}×{kernel} weights, got {weights.Length}.");
        (Name, Inputs, Outputs, Kernel, Stride, Pad) = (name, inputs, outputs, kernel, stride, pad);
        Weights = new Parameter($"{name}.weights", weights.ToArray()) { GroupSize = inputs * kernel * kernel };
    }

    /// <summary>Name in reports and exports.</summary>
    public string Name { get; }

    /// <summary>Input channels.</summary>
    public int Inputs { get; }

    /// <summary>Output channels.</summary>
    public int Outputs { get; }

    /// <summary>Kernel height and width.</summary>
    public int Kernel { get; }

    /// <summary>Step between output positions.</summary>
    public int Stride { get; }

    /// <summary>Zeros added on every side.</summary>
    public int Pad { get; }

    /// <summary>[out, in, k, k].</summary>
    public Parameter Weights { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<Parameter> Parameters => [Weights];

    private int Depth => Inputs * Kernel * Kernel;

    private bool Direct => Kernel == 1 && Stride == 1 && Pad == 0;

    /// <summary>Output rows (or columns) for <paramref name="size"/> input rows.</summary>
    public int OutputSize(int size) => ((size + (2 * Pad) - Kernel) / Stride) + 1;

    /// <summary>Multiply-adds of one image of <paramref name="height"/>×<paramref name="width"/> input.</summary>
    public long MultiplyAdds(int height, int width) => (long)Outputs * Depth * OutputSize(height) * OutputSize(width);

    /// <inheritdoc/>
    public override FeatureMaps Forward(FeatureMaps input, bool training)
    {
        if (input.Channels != Inputs) throw new ArgumentException($"Convolution '{Name}' takes {Inputs} channels, got {input.Channels}.");
        int oh = OutputSize(input.Height), ow = OutputSize(input.Width);
        int positions = input.Batch * oh * ow;
        float[] columns = Direct ? input.Data : Unfold(input, oh, ow);
        // The output buffer is reused: a training step's output is consumed before the next forward pass.
        var output = new FeatureMaps(Outputs, input.Batch, oh, ow, Reuse(ref _output, (long)Outputs * positions));
        Gemm.Multiply(Weights.Value, columns, output.Data, Outputs, Depth, positions);
        // The unfolded input stays in its buffer for the backward pass, until a forward pass outside training overwrites it.
        _columnsOfInput = training && !Direct;
        if (training) _input = input;
        return output;
    }

    /// <inheritdoc/>
    public override FeatureMaps? Backward(FeatureMaps outputGradient, bool needInputGradient = true)
    {
        var input = _input ?? throw new InvalidOperationException($"Convolution '{Name}': backward before a training forward pass.");
        int positions = outputGradient.Plane;
        float[] columns = Direct ? input.Data : _columnsOfInput ? _columns! : Unfold(input, outputGradient.Height, outputGradient.Width);
        AccumulateWeightGradient(outputGradient.Data, columns, positions);
        if (!needInputGradient) return null;
        var transposed = Reuse(ref _transposed, (long)Depth * Outputs);
        Gemm.Transpose(Weights.Value, transposed, Outputs, Depth);
        var inputGradient = new FeatureMaps(Inputs, input.Batch, input.Height, input.Width,
            Reuse(ref _inputGradient, (long)Inputs * input.Plane));
        if (Direct)
        {
            Gemm.Multiply(transposed, outputGradient.Data, inputGradient.Data, Depth, Outputs, positions);
            return inputGradient;
        }
        var columnGradient = Reuse(ref _columnGradient, (long)Depth * positions);
        Gemm.Multiply(transposed, outputGradient.Data, columnGradient, Depth, Outputs, positions);
        Fold(columnGradient, inputGradient, outputGradient.Height, outputGradient.Width);
        return inputGradient;
    }

    /// <summary>
    /// ∂W += ∂Y · columnsᵀ as a product of row-major matrices: the columns transposed when they are the smaller
    /// (fewer input rows than output channels), else ∂Yᵀ, giving ∂Wᵀ = columns · ∂Yᵀ, transposed back.
    /// </summary>
    private void AccumulateWeightGradient(float[] outputGradient, float[] columns, int positions)
    {
        var transposed = Reuse(ref _gradientTransposed, (long)positions * Math.Min(Depth, Outputs));
        if (Depth <= Outputs)
        {
            Gemm.Transpose(columns, transposed, Depth, positions);
            Gemm.Multiply(outputGradient, transposed, Weights.Gradient, Outputs, positions, Depth, accumulate: true);
            return;
        }
        Gemm.Transpose(outputGradient, transposed, Outputs, positions);
        var weightGradientTransposed = Reuse(ref _weightGradientTransposed, (long)Depth * Outputs);
        Gemm.Multiply(columns, transposed, weightGradientTransposed, Depth, positions, Outputs);
        var weightGradient = Reuse(ref _weightGradient, (long)Depth * Outputs);
        Gemm.Transpose(weightGradientTransposed, weightGradient, Depth, Outputs);
        System.Numerics.Tensors.TensorPrimitives.Add(Weights.Gradient, weightGradient, Weights.Gradient);
    }

    /// <summary>im2col: row (c·k + dy)·k + dx, column (n·oh + y)·ow + x holds input[c, n, y·s + dy − p, x·s + dx − p] (0 outside).</summary>
    private float[] Unfold(FeatureMaps input, int oh, int ow)
    {
        int batch = input.Batch, h = input.Height, w = input.Width, k = Kernel;
        int positions = batch * oh * ow;
        var columns = Reuse(ref _columns, (long)Depth * positions);
        var data = input.Data;
        Parallel.For(0, Inputs, c =>
        {
            for (int dy = 0; dy < k; dy++)
            {
                for (int dx = 0; dx < k; dx++)
                {
                    int row = (((c * k) + dy) * k) + dx;
                    var target = columns.AsSpan(row * positions, positions);
                    for (int n = 0; n < batch; n++)
                    {
                        int source = ((c * batch) + n) * h * w;
                        for (int y = 0; y < oh; y++)
                        {
                            int iy = (y * Stride) + dy - Pad;
                            var line = target.Slice(((n * oh) + y) * ow, ow);
                            if (iy < 0 || iy >= h)
                            {
                                line.Clear();
                                continue;
                            }
                            for (int x = 0; x < ow; x++)
                            {
                                int ix = (x * Stride) + dx - Pad;
                                line[x] = ix >= 0 && ix < w ? data[source + (iy * w) + ix] : 0f;
                            }
                        }
                    }
                }
            }
        });
        return columns;
    }

    /// <summary>col2im: adds each column gradient back onto the input position it was read from.</summary>
    private void Fold(float[] columnGradient, FeatureMaps inputGradient, int oh, int ow)
    {
        int batch = inputGradient.Batch, h = inputGradient.Height, w = inputGradient.Width, k = Kernel;
        int positions = batch * oh * ow;
        var data = inputGradient.Data;
        Parallel.For(0, Inputs, c =>
        {
            data.AsSpan(c * batch * h * w, batch * h * w).Clear();
            for (int dy = 0; dy < k; dy++)
            {
                for (int dx = 0; dx < k; dx++)
                {
                    int row = (((c * k) + dy) * k) + dx;
                    var source = columnGradient.AsSpan(row * positions, positions);
                    for (int n = 0; n < batch; n++)
                    {
                        int target = ((c * batch) + n) * h * w;
                        for (int y = 0; y < oh; y++)
                        {
                            int iy = (y * Stride) + dy - Pad;
                            if (iy < 0 || iy >= h) continue;
                            var line = source.Slice(((n * oh) + y) * ow, ow);
                            for (int x = 0; x < ow; x++)
                            {
                                int ix = (x * Stride) + dx - Pad;
                                if (ix >= 0 && ix < w) data[target + (iy * w) + ix] += line[x];
                            }
                        }
                    }
                }
            }
        });
    }
}
