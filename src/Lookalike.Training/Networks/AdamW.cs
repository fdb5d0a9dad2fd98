namespace Lookalike.Training.Networks;

/// <summary>Adam with decoupled weight decay (Loshchilov &amp; Hutter 2019).</summary>
public sealed class AdamW(IEnumerable<Parameter> parameters, double learningRate, double weightDecay = 0, double beta1 = 0.9,
    double beta2 = 0.999, double epsilon = 1e-8)
{
    private readonly (Parameter P, float[] M, float[] V)[] _state =
        [.. parameters.Select(p => (p, new float[p.Value.Length], new float[p.Value.Length]))];
    private int _step;

    /// <summary>The learning rate of the next steps (a schedule may change it between steps).</summary>
    public double LearningRate { get; set; } = learningRate;

    /// <summary>Applies one update from the accumulated gradients.</summary>
    public void Step()
    {
        _step++;
        double correction1 = 1 - Math.Pow(beta1, _step), correction2 = 1 - Math.Pow(beta2, _step);
        float b1 = (float)beta1, b2 = (float)beta2;
        float rate = (float)(LearningRate * Math.Sqrt(correction2) / correction1);
        float decay = (float)(LearningRate * weightDecay), eps = (float)epsilon;
        foreach (var (p, m, v) in _state)
        {
            var value = p.Value;
            var gradient = p.Gradient;
            bool decays = p.Decays && decay > 0;
            for (int i = 0; i < value.Length; i++)
            {
                float g = gradient[i];
                m[i] = (b1 * m[i]) + ((1 - b1) * g);
                v[i] = (b2 * v[i]) + ((1 - b2) * g * g);
                if (decays) value[i] -= decay * value[i];
                value[i] -= rate * m[i] / (MathF.Sqrt(v[i]) + eps);
            }
        }
    }
}
