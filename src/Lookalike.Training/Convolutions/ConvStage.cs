using Lookalike.Onnx.Stages;
using Lookalike.Training.Networks;

namespace Lookalike.Training.Convolutions;

/// <summary>
/// The last stage of a ResNet (conv5: three bottleneck blocks) and the global average pooling after
/// it, trainable in C#: maps in, one feature row per image out (batch × channels, as the dense
/// head takes them).
/// </summary>
public sealed class ConvStage
{
    private FeatureMaps? _pooled;

    /// <summary>
    /// A stage computing what <paramref name="blocks"/> compute; with <paramref name="batchStatistics"/>, its norms train with
    /// each batch's statistics (<see cref="Convolutions.BatchStatistics"/>) instead of frozen running ones.
    /// </summary>
    public ConvStage(IReadOnlyList<BottleneckWeights> blocks, bool batchStatistics = false)
    {
        if (blocks.Count == 0) throw new ArgumentException("A stage needs at least one block.", nameof(blocks));
        Blocks = [.. blocks.Select(b => new Bottleneck(b, batchStatistics))];
        for (int i = 1; i < Blocks.Count; i++)
        {
            if (Blocks[i].Inputs != Blocks[i - 1].Outputs)
                throw new ArgumentException($"Block {i + 1} takes {Blocks[i].Inputs} channels but block {i} gives {Blocks[i - 1].Outputs}.");
        }
    }

    /// <summary>The blocks, in order.</summary>
    public IReadOnlyList<Bottleneck> Blocks { get; }

    /// <summary>Input channels.</summary>
    public int Inputs => Blocks[0].Inputs;

    /// <summary>Width of the pooled features.</summary>
    public int Outputs => Blocks[^1].Outputs;

    /// <summary>The batch statistics of every norm (empty: frozen running statistics).</summary>
    public IEnumerable<BatchStatistics> BatchStatisticsLayers => Blocks.SelectMany(b => b.BatchStatisticsLayers);

    /// <summary>Every trainable parameter.</summary>
    public IEnumerable<Parameter> Parameters => Blocks.SelectMany(b => b.Parameters);

    /// <summary>Multiply-adds of the forward pass of one image of <paramref name="height"/>×<paramref name="width"/> input maps.</summary>
    public long MultiplyAdds(int height, int width)
    {
        long total = 0;
        foreach (var block in Blocks)
        {
            total += block.MultiplyAdds(height, width);
            var first = block.Main[0].Conv;
            (height, width) = (first.OutputSize(height), first.OutputSize(width));
        }
        return total;
    }

    /// <summary>
    /// Floating-point operations of one image's training step: the forward pass, the weight gradients and the input
    /// gradients (2 per multiply-add each), less the input gradients of the first block's convolutions that read the
    /// stage's input (no one needs them).
    /// </summary>
    public double TrainingFlops(int height, int width)
    {
        var first = Blocks[0];
        long unneeded = first.Main[0].Conv.MultiplyAdds(height, width) + (first.Projection?.Conv.MultiplyAdds(height, width) ?? 0);
        return 2.0 * ((3 * MultiplyAdds(height, width)) - unneeded);
    }

    /// <summary>Pooled features (batch × <see cref="Outputs"/>) of a batch of input maps.</summary>
    public float[] Forward(FeatureMaps input, bool training)
    {
        var x = input;
        foreach (var block in Blocks) x = block.Forward(x, training);
        if (training) _pooled = x;
        int area = x.Height * x.Width;
        var features = new float[x.Batch * x.Channels];
        for (int c = 0; c < x.Channels; c++)
        {
            for (int n = 0; n < x.Batch; n++)
                features[(n * x.Channels) + c] = System.Numerics.Tensors.TensorPrimitives.Sum(x.Data.AsSpan(((c * x.Batch) + n) * area, area)) / area;
        }
        return features;
    }

    /// <summary>Accumulates the gradients of every parameter from ∂loss/∂features of the last training forward pass.</summary>
    public void Backward(float[] featureGradient)
    {
        var pooled = _pooled ?? throw new InvalidOperationException("The stage: backward before a training forward pass.");
        int area = pooled.Height * pooled.Width;
        var gradient = pooled.ZerosLike();
        for (int c = 0; c < pooled.Channels; c++)
        {
            for (int n = 0; n < pooled.Batch; n++)
                gradient.Data.AsSpan(((c * pooled.Batch) + n) * area, area).Fill(featureGradient[(n * pooled.Channels) + c] / area);
        }
        var g = gradient;
        for (int i = Blocks.Count - 1; i >= 0; i--) g = Blocks[i].Backward(g, needInputGradient: i > 0)!;
    }

    /// <summary>Sets every gradient to zero.</summary>
    public void ZeroGradients()
    {
        foreach (var p in Parameters) Array.Clear(p.Gradient);
    }

    /// <summary>
    /// The blocks' convolutions with the trained norms folded back in (weights·scale, bias = shift):
    /// what an export writes, and what a new stage can start from.
    /// </summary>
    public IReadOnlyList<BottleneckWeights> Folded() => [.. Blocks.Select(b => new BottleneckWeights(
        Fold(b.Main[0]), Fold(b.Main[1]), Fold(b.Main[2]), b.Projection is { } p ? Fold(p) : null))];

    private static ConvWeights Fold((Conv2d Conv, ChannelAffine Norm) unit)
    {
        var (conv, norm) = unit;
        int perOutput = conv.Inputs * conv.Kernel * conv.Kernel;
        var weights = (float[])conv.Weights.Value.Clone();
        for (int o = 0; o < conv.Outputs; o++)
        {
            var row = weights.AsSpan(o * perOutput, perOutput);
            System.Numerics.Tensors.TensorPrimitives.Multiply(row, norm.Scale.Value[o], row);
        }
        return new ConvWeights(conv.Name, conv.Inputs, conv.Outputs, conv.Kernel, conv.Stride, conv.Pad, weights, (float[])norm.Shift.Value.Clone());
    }
}
