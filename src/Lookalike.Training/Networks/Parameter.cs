namespace Lookalike.Training.Networks;

/// <summary>A trainable array and its gradient (same shape).</summary>
public sealed class Parameter(string name, float[] value)
{
    /// <summary>Name for reports and files, e.g. "dense1.weights".</summary>
    public string Name { get; } = name;

    /// <summary>Current values.</summary>
    public float[] Value { get; } = value;

    /// <summary>Gradient of the loss, filled by the backward pass.</summary>
    public float[] Gradient { get; } = new float[value.Length];

    /// <summary>Whether weight decay applies (weights yes, biases no).</summary>
    public bool Decays { get; init; } = true;

    /// <summary>
    /// Values that share one size for steps relative to it (<see cref="AdamW"/>'s relative steps): a convolution's
    /// output channel (in·k·k weights); 0, the default, makes the whole array one group.
    /// </summary>
    public int GroupSize { get; init; }

    /// <summary>Copies of every parameter's values (to restore the best epoch).</summary>
    public static float[][] Snapshot(IEnumerable<Parameter> parameters) => [.. parameters.Select(p => (float[])p.Value.Clone())];

    /// <summary>Restores values taken by <see cref="Snapshot"/>.</summary>
    public static void Restore(IEnumerable<Parameter> parameters, float[][] snapshot)
    {
        int i = 0;
        foreach (var p in parameters) snapshot[i++].CopyTo(p.Value, 0);
    }
}
