using System.Numerics.Tensors;
using Lookalike.Errors;
using Lookalike.Features;
using Lookalike.Onnx.Stages;
using Lookalike.Training.Networks;

namespace Lookalike.Training.Heads;

/// <summary>How a head was trained.</summary>
public enum HeadLoss
{
    /// <summary>Softmax cross-entropy over the classes (an output layer is added).</summary>
    Softmax,

    /// <summary>Supervised contrastive loss on the last layer's L2-normalised output (no output layer).</summary>
    Contrastive,
}

/// <summary>
/// A trained head: input standardisation, the network, the class names, which layer's activations
/// become retrieval features, and how to classify.
/// </summary>
public sealed class HeadModel
{
    internal HeadModel(Network network, FeatureScaling scaling, IReadOnlyList<string> classes, int embeddingLayer, HeadLoss loss,
        string spec, float[]? centroids)
    {
        Network = network;
        Scaling = scaling;
        Classes = classes;
        EmbeddingLayer = embeddingLayer;
        Loss = loss;
        Spec = spec;
        Centroids = centroids;
    }

    /// <summary>The network (output layer included for softmax heads).</summary>
    public Network Network { get; }

    /// <summary>Standardisation of the inputs (fitted on the training features).</summary>
    public FeatureScaling Scaling { get; }

    /// <summary>Class names, in output order.</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>Index of the layer whose activations are the retrieval features.</summary>
    public int EmbeddingLayer { get; }

    /// <summary>The training loss.</summary>
    public HeadLoss Loss { get; }

    /// <summary>The head spec it was built from.</summary>
    public string Spec { get; }

    /// <summary>Class means of the normalised embeddings (contrastive heads classify by the nearest one).</summary>
    public float[]? Centroids { get; internal set; }

    /// <summary>Input width.</summary>
    public int Inputs => Network.Inputs;

    /// <summary>Width of the retrieval features.</summary>
    public int EmbeddingWidth => Network.Layers[EmbeddingLayer].Outputs;

    /// <summary>Standardises a batch of raw features (batch×inputs) into a new array.</summary>
    public float[] Standardise(ReadOnlySpan<float> features, int batch)
    {
        if (features.Length != batch * Inputs)
            throw new LookalikeException($"The head takes {Inputs}-d features; got {features.Length / Math.Max(1, batch)}-d.");
        return Scaling.Apply(features);
    }

    /// <summary>Retrieval features (L2-normalised activations of <see cref="EmbeddingLayer"/>) of raw features.</summary>
    public float[] Embed(ReadOnlySpan<float> features, int batch)
    {
        var embedded = Network.Forward(Standardise(features, batch), batch, training: false, upTo: EmbeddingLayer);
        int width = EmbeddingWidth;
        for (int i = 0; i < batch; i++) Indexes.Distances.Normalize(embedded.AsSpan(i * width, width));
        return embedded;
    }

    /// <summary>The standardisation and dense layers up to <see cref="EmbeddingLayer"/>, as weights an ONNX graph can take (<see cref="Embed(ReadOnlySpan{float}, int)"/> in a model).</summary>
    public EmbeddingHeadWeights EmbeddingWeights()
    {
        var layers = Network.Layers.Take(EmbeddingLayer + 1).OfType<DenseLayer>().Select(l => new DenseWeights(l.Inputs, l.Outputs,
            [.. l.Weights.Value], [.. l.Bias.Value], l.Activation switch
            {
                Activation.Relu => DenseActivation.Relu,
                Activation.Tanh => DenseActivation.Tanh,
                _ => DenseActivation.None,
            })).ToList();
        return new EmbeddingHeadWeights([.. Scaling.Mean], [.. Scaling.Scale], layers);
    }

    /// <summary>An independent copy (its own weights, same standardisation and classes): a head kept as it was while the original trains on.</summary>
    public HeadModel Copy()
    {
        var random = new Random(0);
        var network = new Network([.. Network.Layers.Select(layer => layer switch
        {
            DenseLayer d => (Layer)new DenseLayer(d.Inputs, d.Outputs, d.Activation, random, d.Weights.Name[..d.Weights.Name.LastIndexOf('.')]),
            DropoutLayer o => new DropoutLayer(o.Inputs, o.Rate, random),
            _ => throw new InvalidOperationException($"Cannot copy layer {layer.GetType().Name}."),
        })]);
        network.Restore(Network.Snapshot());
        return new HeadModel(network, Scaling, Classes, EmbeddingLayer, Loss, Spec, Centroids is null ? null : [.. Centroids]);
    }

    /// <summary>The vectors of <paramref name="data"/> mapped through the head, labels and names kept.</summary>
    public LabeledVectors Embed(LabeledVectors data, int batchSize = 1024)
    {
        var output = new float[data.Count * EmbeddingWidth];
        for (int start = 0; start < data.Count; start += batchSize)
        {
            int batch = Math.Min(batchSize, data.Count - start);
            Embed(data.Vectors.AsSpan(start * data.Dimension, batch * data.Dimension), batch)
                .CopyTo(output, start * EmbeddingWidth);
        }
        return new LabeledVectors($"{data.Source} (fine-tuned: {Spec})", EmbeddingWidth, output, data.Labels, data.Names);
    }

    /// <summary>Predicted class index of each row of raw features.</summary>
    public int[] Predict(ReadOnlySpan<float> features, int batch)
    {
        var predictions = new int[batch];
        if (Loss == HeadLoss.Softmax)
        {
            var logits = Network.Forward(Standardise(features, batch), batch, training: false);
            for (int i = 0; i < batch; i++) predictions[i] = TensorPrimitives.IndexOfMax(logits.AsSpan(i * Classes.Count, Classes.Count));
            return predictions;
        }
        var embedded = Embed(features, batch);
        int width = EmbeddingWidth;
        var centroids = Centroids ?? throw new LookalikeException("This contrastive head has no class centroids.");
        for (int i = 0; i < batch; i++)
        {
            var row = embedded.AsSpan(i * width, width);
            int best = 0;
            float bestScore = float.NegativeInfinity;
            for (int c = 0; c < Classes.Count; c++)
            {
                float score = TensorPrimitives.Dot(row, centroids.AsSpan(c * width, width));
                if (score > bestScore) (best, bestScore) = (c, score);
            }
            predictions[i] = best;
        }
        return predictions;
    }
}
