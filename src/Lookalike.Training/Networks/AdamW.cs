namespace Lookalike.Training.Networks;

/// <summary>
/// Adam with decoupled weight decay (Loshchilov &amp; Hutter 2019). With <c>relativeSteps</c> each value's step is also
/// scaled by the root mean square its group (<see cref="Parameter.GroupSize"/>) had at the start, so that the learning rate
/// is a fraction of the weights' own size, as in LARS/LAMB's layer-wise trust ratio (You et al. 2017, 2020) but fixed per
/// output channel: a network whose batch norms are folded into its convolutions has channels whose weights differ in size by
/// 30×, and one absolute rate moves the small ones by many times their size while it barely moves the large ones.
/// </summary>
public sealed class AdamW
{
    private readonly (Parameter P, float[] M, float[] V, int GroupSize, float[]? Scales)[] _state;
    private readonly double _weightDecay, _beta1, _beta2, _epsilon;
    private int _step;

    /// <summary>An optimizer of <paramref name="parameters"/>.</summary>
    public AdamW(IEnumerable<Parameter> parameters, double learningRate, double weightDecay = 0, double beta1 = 0.9,
        double beta2 = 0.999, double epsilon = 1e-8, bool relativeSteps = false)
    {
        (LearningRate, _weightDecay, _beta1, _beta2, _epsilon) = (learningRate, weightDecay, beta1, beta2, epsilon);
        _state = [.. parameters.Select(p =>
        {
            int groupSize = relativeSteps ? GroupSizeOf(p) : p.Value.Length;
            return (p, new float[p.Value.Length], new float[p.Value.Length], groupSize, relativeSteps ? GroupScales(p.Value, groupSize) : null);
        })];
    }

    /// <summary>The learning rate of the next steps (a schedule may change it between steps).</summary>
    public double LearningRate { get; set; }

    /// <summary>Applies one update from the accumulated gradients.</summary>
    public void Step()
    {
        _step++;
        double correction1 = 1 - Math.Pow(_beta1, _step), correction2 = 1 - Math.Pow(_beta2, _step);
        float b1 = (float)_beta1, b2 = (float)_beta2;
        float rate = (float)(LearningRate * Math.Sqrt(correction2) / correction1);
        float decay = (float)(LearningRate * _weightDecay), eps = (float)_epsilon;
        foreach (var (p, m, v, groupSize, scales) in _state)
        {
            var value = p.Value;
            var gradient = p.Gradient;
            bool decays = p.Decays && decay > 0;
            for (int start = 0, group = 0; start < value.Length; start += groupSize, group++)
            {
                float groupRate = scales is null ? rate : rate * scales[group];
                for (int i = start; i < start + groupSize; i++)
                {
                    float g = gradient[i];
                    m[i] = (b1 * m[i]) + ((1 - b1) * g);
                    v[i] = (b2 * v[i]) + ((1 - b2) * g * g);
                    if (decays) value[i] -= decay * value[i];
                    value[i] -= groupRate * m[i] / (MathF.Sqrt(v[i]) + eps);
                }
            }
        }
    }

    private static int GroupSizeOf(Parameter p) => p.GroupSize > 0 && p.Value.Length % p.GroupSize == 0 ? p.GroupSize : p.Value.Length;

    /// <summary>Each group's root mean square now; a group of zeros takes the whole array's, and an array of zeros 1 (absolute steps).</summary>
    private static float[] GroupScales(float[] values, int size)
    {
        float all = Rms(values);
        var scales = new float[values.Length / size];
        for (int g = 0; g < scales.Length; g++)
        {
            float rms = Rms(values.AsSpan(g * size, size));
            scales[g] = rms > 0 ? rms : all > 0 ? all : 1;
        }
        return scales;
    }

    private static float Rms(ReadOnlySpan<float> values) =>
        values.IsEmpty ? 0 : System.Numerics.Tensors.TensorPrimitives.Norm(values) / MathF.Sqrt(values.Length);
}
