using Lookalike.Onnx.Stages;
using Lookalike.Training.Networks;

namespace Lookalike.Training.Convolutions;

/// <summary>
/// A ResNet bottleneck block (He et al. 2016): y = relu(bn(conv1×1(relu(bn(conv(relu(bn(conv1×1(x))))))) + shortcut(x)),
/// the shortcut being x or bn(conv1×1(x)) when the shape changes. Each bn is a <see cref="ChannelAffine"/>, after
/// <see cref="BatchStatistics"/> when the block trains with batch statistics.
/// </summary>
public sealed class Bottleneck : MapLayer
{
    private readonly (Conv2d Conv, ChannelAffine Norm)[] _main;
    private readonly (Conv2d Conv, ChannelAffine Norm)? _projection;
    private readonly BatchStatistics?[] _mainStatistics;
    private readonly BatchStatistics? _projectionStatistics;
    private readonly Relu _relu1 = new(), _relu2 = new(), _out = new();
    private float[]? _sum;
    private float[]? _inputGradient;

    /// <summary>
    /// A block computing exactly what <paramref name="weights"/> compute (scale 1); its batch norms keep frozen running statistics,
    /// or with <paramref name="batchStatistics"/> normalise by each training batch's (<see cref="BatchStatistics"/>).
    /// </summary>
    public Bottleneck(BottleneckWeights weights, bool batchStatistics = false)
    {
        Weights = weights;
        _main = [Unit(weights.Reduce), Unit(weights.Middle), Unit(weights.Expand)];
        if (weights.Projection is { } projection) _projection = Unit(projection);
        _mainStatistics = [.. _main.Select(u => batchStatistics ? NewStatistics(u.Conv) : null)];
        if (batchStatistics && _projection is { } p) _projectionStatistics = NewStatistics(p.Conv);
        BatchStatisticsLayers = [.. _mainStatistics.Append(_projectionStatistics).OfType<BatchStatistics>()];
        if (weights.Middle.Inputs != weights.Reduce.Outputs || weights.Expand.Inputs != weights.Middle.Outputs)
            throw new ArgumentException($"Block '{weights.Reduce.Name}': its convolutions do not chain.");
        if (weights.Projection is null && weights.Expand.Outputs != weights.Reduce.Inputs)
            throw new ArgumentException($"Block '{weights.Reduce.Name}' changes {weights.Reduce.Inputs} channels to {weights.Expand.Outputs} without a projection.");
    }

    /// <summary>What the block was built from.</summary>
    public BottleneckWeights Weights { get; }

    /// <summary>The three convolutions and their norms, in order.</summary>
    public IReadOnlyList<(Conv2d Conv, ChannelAffine Norm)> Main => _main;

    /// <summary>The shortcut's convolution and norm (null: identity).</summary>
    public (Conv2d Conv, ChannelAffine Norm)? Projection => _projection;

    /// <summary>The batch statistics of the block's norms (empty: frozen running statistics).</summary>
    public IReadOnlyList<BatchStatistics> BatchStatisticsLayers { get; }

    /// <summary>Input channels.</summary>
    public int Inputs => Weights.Reduce.Inputs;

    /// <summary>Output channels.</summary>
    public int Outputs => Weights.Expand.Outputs;

    /// <inheritdoc/>
    public override IReadOnlyList<Parameter> Parameters =>
        [.. _main.SelectMany(Of), .. _projection is { } p ? Of(p) : []];

    /// <summary>Multiply-adds of one image of <paramref name="height"/>×<paramref name="width"/> input.</summary>
    public long MultiplyAdds(int height, int width)
    {
        long total = 0;
        int h = height, w = width;
        foreach (var (conv, _) in _main)
        {
            total += conv.MultiplyAdds(h, w);
            (h, w) = (conv.OutputSize(h), conv.OutputSize(w));
        }
        return total + (_projection?.Conv.MultiplyAdds(height, width) ?? 0);
    }

    /// <inheritdoc/>
    public override FeatureMaps Forward(FeatureMaps input, bool training)
    {
        var x = _relu1.Forward(Apply(_main[0], _mainStatistics[0], input, training), training);
        x = _relu2.Forward(Apply(_main[1], _mainStatistics[1], x, training), training);
        x = Apply(_main[2], _mainStatistics[2], x, training);
        var shortcut = _projection is { } p ? Apply(p, _projectionStatistics, input, training) : input;
        if (shortcut.Height != x.Height || shortcut.Width != x.Width)
            throw new ArgumentException($"Block '{Weights.Reduce.Name}': the shortcut is {shortcut.Height}×{shortcut.Width}, the branch {x.Height}×{x.Width}.");
        var sum = new FeatureMaps(x.Channels, x.Batch, x.Height, x.Width, Reuse(ref _sum, x.Data.Length));
        System.Numerics.Tensors.TensorPrimitives.Add(x.Data, shortcut.Data, sum.Data);
        return _out.Forward(sum, training);
    }

    /// <inheritdoc/>
    public override FeatureMaps? Backward(FeatureMaps outputGradient, bool needInputGradient = true)
    {
        var g = _out.Backward(outputGradient)!;
        var x = Back(_main[2], _mainStatistics[2], g, true)!;
        x = Back(_main[1], _mainStatistics[1], _relu2.Backward(x)!, true)!;
        var fromMain = Back(_main[0], _mainStatistics[0], _relu1.Backward(x)!, needInputGradient);
        FeatureMaps? fromShortcut = _projection is { } p ? Back(p, _projectionStatistics, g, needInputGradient) : g;
        if (!needInputGradient) return null;
        var inputGradient = new FeatureMaps(fromMain!.Channels, fromMain.Batch, fromMain.Height, fromMain.Width,
            Reuse(ref _inputGradient, fromMain.Data.Length));
        System.Numerics.Tensors.TensorPrimitives.Add(fromMain.Data, fromShortcut!.Data, inputGradient.Data);
        return inputGradient;
    }

    private static (Conv2d, ChannelAffine) Unit(ConvWeights w) =>
        (new Conv2d(w.Name, w.Inputs, w.Outputs, w.Kernel, w.Stride, w.Pad, w.Weights), new ChannelAffine($"{w.Name}.bn", w.Bias));

    private static IEnumerable<Parameter> Of((Conv2d Conv, ChannelAffine Norm) unit) => [.. unit.Conv.Parameters, .. unit.Norm.Parameters];

    private static BatchStatistics NewStatistics(Conv2d conv) => new($"{conv.Name}.bn.statistics", conv.Outputs);

    private static FeatureMaps Apply((Conv2d Conv, ChannelAffine Norm) unit, BatchStatistics? statistics, FeatureMaps input, bool training)
    {
        var x = unit.Conv.Forward(input, training);
        return unit.Norm.Forward(statistics is null ? x : statistics.Forward(x, training), training);
    }

    private static FeatureMaps? Back((Conv2d Conv, ChannelAffine Norm) unit, BatchStatistics? statistics, FeatureMaps gradient, bool needInputGradient)
    {
        var g = unit.Norm.Backward(gradient)!;
        return unit.Conv.Backward(statistics is null ? g : statistics.Backward(g)!, needInputGradient);
    }
}
