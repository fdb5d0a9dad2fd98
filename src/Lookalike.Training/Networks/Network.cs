using System.Globalization;
using Lookalike.Errors;

namespace Lookalike.Training.Networks;

/// <summary>A stack of layers applied in order.</summary>
public sealed class Network
{
    /// <summary>Wraps <paramref name="layers"/>; each layer's input width must equal the previous output width.</summary>
    public Network(IReadOnlyList<Layer> layers)
    {
        if (layers.Count == 0) throw new LookalikeException("A network needs at least one layer.");
        for (int i = 1; i < layers.Count; i++)
        {
            if (layers[i].Inputs != layers[i - 1].Outputs)
                throw new LookalikeException($"Layer {i + 1} takes {layers[i].Inputs} inputs but layer {i} gives {layers[i - 1].Outputs}.");
        }
        Layers = layers;
    }

    /// <summary>The layers.</summary>
    public IReadOnlyList<Layer> Layers { get; }

    /// <summary>Input width.</summary>
    public int Inputs => Layers[0].Inputs;

    /// <summary>Output width.</summary>
    public int Outputs => Layers[^1].Outputs;

    /// <summary>Every trainable parameter.</summary>
    public IEnumerable<Parameter> Parameters => Layers.SelectMany(l => l.Parameters);

    /// <summary>Runs a batch through layers 0..<paramref name="upTo"/> (inclusive; default: all).</summary>
    public float[] Forward(float[] input, int batch, bool training, int upTo = -1)
    {
        int last = upTo < 0 ? Layers.Count - 1 : upTo;
        var x = input;
        for (int i = 0; i <= last; i++) x = Layers[i].Forward(x, batch, training);
        return x;
    }

    /// <summary>Back-propagates ∂loss/∂output through every layer (after a training forward pass), accumulating gradients.</summary>
    public void Backward(float[] outputGradient, int batch)
    {
        // Below the first layer with parameters no gradient is needed: stop there (and skip its input gradient).
        int first = 0;
        while (first < Layers.Count - 1 && Layers[first].Parameters.Count == 0) first++;
        var g = outputGradient;
        for (int i = Layers.Count - 1; i >= first; i--) g = Layers[i].Backward(g, batch, needInputGradient: i > first);
    }

    /// <summary>
    /// Back-propagates through every layer like <see cref="Backward"/> and returns ∂loss/∂input (what a trainable
    /// layer below the network needs).
    /// </summary>
    public float[] BackwardToInput(float[] outputGradient, int batch)
    {
        var g = outputGradient;
        for (int i = Layers.Count - 1; i >= 0; i--) g = Layers[i].Backward(g, batch, needInputGradient: true);
        return g;
    }

    /// <summary>Sets every gradient to zero.</summary>
    public void ZeroGradients()
    {
        foreach (var p in Parameters) Array.Clear(p.Gradient);
    }

    /// <summary>Copies of every parameter's values (to restore the best epoch).</summary>
    public float[][] Snapshot() => Parameter.Snapshot(Parameters);

    /// <summary>Restores values taken by <see cref="Snapshot"/>.</summary>
    public void Restore(float[][] snapshot) => Parameter.Restore(Parameters, snapshot);

    /// <summary>The layers as a head spec, e.g. <c>dropout(0.5),dense(256,relu),dense(10)</c>.</summary>
    public string Describe() => string.Join(",", Layers.Select(l => l.Describe()));

    /// <summary>
    /// Index of the last dense layer below layer <paramref name="below"/> (default: all layers): the
    /// default embedding layer (below the output layer for a classifier).
    /// </summary>
    public int LastDenseLayer(int? below = null)
    {
        for (int i = (below ?? Layers.Count) - 1; i >= 0; i--)
        {
            if (Layers[i] is DenseLayer) return i;
        }
        throw new LookalikeException(string.Create(CultureInfo.InvariantCulture, $"The network '{Describe()}' has no hidden dense layer to embed with."));
    }
}
