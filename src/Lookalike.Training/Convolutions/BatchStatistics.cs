using System.Numerics.Tensors;

namespace Lookalike.Training.Convolutions;

/// <summary>
/// Batch normalisation by each training batch's own statistics (Ioffe and Szegedy 2015), written so that
/// the <see cref="ChannelAffine"/> after it stays the whole trained norm: while training,
/// y = (x − μ_batch) / σ_batch · σ_running + μ_running per channel; at inference, y = x (the same with
/// the running statistics in place of the batch's). The running statistics start at the first training
/// batch's and follow later batches by <see cref="Momentum"/>, so the stage first computes what the model
/// did and the folded export needs no change. As a usual batch norm with scale γ = a·σ_running and shift
/// β = a·μ_running + b (a, b: the affine's), it trains with the gradient through the batch's statistics.
/// </summary>
public sealed class BatchStatistics : MapLayer
{
    private float[]? _output;
    private float[]? _normalised;
    private float[]? _inputGradient;
    private readonly float[] _batchDeviation, _runningDeviation;
    private double _momentum;

    /// <summary>Statistics of <paramref name="channels"/> channels, none seen yet.</summary>
    /// <param name="name">Name in reports.</param>
    /// <param name="channels">Channels normalised.</param>
    /// <param name="momentum">Weight of each batch in the running statistics (Keras' batch norms: 0.01).</param>
    /// <param name="epsilon">Added to each variance (Keras' batch norms: 1e-3).</param>
    public BatchStatistics(string name, int channels, double momentum = 0.01, double epsilon = 1e-3)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), "Epsilon must be positive.");
        (Name, Momentum, Epsilon) = (name, momentum, epsilon);
        RunningMean = new double[channels];
        RunningVariance = new double[channels];
        _batchDeviation = new float[channels];
        _runningDeviation = new float[channels];
    }

    /// <summary>Name in reports.</summary>
    public string Name { get; }

    /// <summary>Weight of each new batch in the running statistics, in [0, 1] (0: they stay as the first batch set them).</summary>
    public double Momentum
    {
        get => _momentum;
        set => _momentum = value is >= 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The momentum is a weight in [0, 1].");
    }

    /// <summary>Added to each variance.</summary>
    public double Epsilon { get; }

    /// <summary>Each channel's running mean (zeros before the first training batch).</summary>
    public double[] RunningMean { get; }

    /// <summary>
    /// Each channel's running variance (zeros before the first training batch). Of the batch's values as they are (not
    /// n/(n − 1) times it), so that the first batch maps to itself; a batch of conv5 has thousands of values per channel.
    /// </summary>
    public double[] RunningVariance { get; }

    /// <summary>Whether a training batch has set the running statistics.</summary>
    public bool HasStatistics { get; private set; }

    /// <inheritdoc/>
    public override FeatureMaps Forward(FeatureMaps input, bool training)
    {
        int channels = RunningMean.Length;
        if (input.Channels != channels) throw new ArgumentException($"'{Name}' normalises {channels} channels, got {input.Channels}.");
        if (!training) return input;
        // One channel's values over the batch are contiguous (channel-major maps).
        int count = input.Plane;
        if (count < 2) throw new ArgumentException($"'{Name}': batch statistics need at least two values per channel, got {count}.");
        var output = new FeatureMaps(channels, input.Batch, input.Height, input.Width, Reuse(ref _output, input.Data.Length));
        var normalised = Reuse(ref _normalised, input.Data.Length);
        for (int c = 0; c < channels; c++)
        {
            var x = input.Data.AsSpan(c * count, count);
            var xHat = normalised.AsSpan(c * count, count);
            double mean = TensorPrimitives.Sum(x) / (double)count;
            TensorPrimitives.Subtract(x, (float)mean, xHat);
            double variance = TensorPrimitives.SumOfSquares(xHat) / count;
            if (!HasStatistics) (RunningMean[c], RunningVariance[c]) = (mean, variance);
            float deviation = (float)Math.Sqrt(variance + Epsilon), running = (float)Math.Sqrt(RunningVariance[c] + Epsilon);
            (_batchDeviation[c], _runningDeviation[c]) = (deviation, running);
            TensorPrimitives.Divide(xHat, deviation, xHat);
            var y = output.Data.AsSpan(c * count, count);
            TensorPrimitives.Multiply(xHat, running, y);
            TensorPrimitives.Add(y, (float)RunningMean[c], y);
            if (HasStatistics)
            {
                RunningMean[c] += Momentum * (mean - RunningMean[c]);
                RunningVariance[c] += Momentum * (variance - RunningVariance[c]);
            }
        }
        HasStatistics = true;
        return output;
    }

    /// <summary>
    /// ∂loss/∂x = s/σ · (g − mean(g) − x̂·mean(g·x̂)) per channel, s being the running deviation the forward pass scaled by
    /// and x̂ the batch-normalised input (the batch's mean and deviation depend on every x of the channel).
    /// </summary>
    public override FeatureMaps? Backward(FeatureMaps outputGradient, bool needInputGradient = true)
    {
        if (!HasStatistics) throw new InvalidOperationException($"'{Name}': backward before a training forward pass.");
        if (!needInputGradient) return null;
        var normalised = _normalised!;
        int channels = RunningMean.Length, count = outputGradient.Plane;
        var inputGradient = new FeatureMaps(channels, outputGradient.Batch, outputGradient.Height, outputGradient.Width,
            Reuse(ref _inputGradient, outputGradient.Data.Length));
        for (int c = 0; c < channels; c++)
        {
            var g = outputGradient.Data.AsSpan(c * count, count);
            var xHat = normalised.AsSpan(c * count, count);
            var dx = inputGradient.Data.AsSpan(c * count, count);
            float meanGradient = TensorPrimitives.Sum(g) / count, meanProjection = TensorPrimitives.Dot(g, xHat) / count;
            // dx = (g − meanGradient − x̂·meanProjection) · s/σ
            TensorPrimitives.MultiplyAdd(xHat, -meanProjection, g, dx);
            TensorPrimitives.Subtract(dx, meanGradient, dx);
            TensorPrimitives.Multiply(dx, _runningDeviation[c] / _batchDeviation[c], dx);
        }
        return inputGradient;
    }
}
