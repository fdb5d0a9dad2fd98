namespace Lookalike.Onnx.Stages;

/// <summary>
/// A head's path from pooled features to its embedding, for writing into a backbone's graph: per-feature
/// standardisation, the dense layers up to the embedding, then L2 normalisation.
/// </summary>
/// <param name="Mean">Per-feature mean, subtracted first.</param>
/// <param name="Scale">Per-feature factor applied next (1/std).</param>
/// <param name="Layers">The dense layers, in order (dropout, the identity at inference, left out).</param>
public sealed record EmbeddingHeadWeights(float[] Mean, float[] Scale, IReadOnlyList<DenseWeights> Layers)
{
    /// <summary>Width of the embedding.</summary>
    public int Outputs => Layers[^1].Outputs;
}
