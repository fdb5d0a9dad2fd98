using System.Numerics.Tensors;

namespace Lookalike.Training.Networks;

/// <summary>Loss functions: the mean loss over a batch and its gradient with respect to the network output.</summary>
public static class Losses
{
    /// <summary>
    /// Softmax cross-entropy of logits (batch×classes) against class indices, as log Σ exp − the label's
    /// logit after each row's largest logit is subtracted: confident logits (above ≈ 88) neither overflow
    /// into a NaN loss nor underflow into a clamped one.
    /// </summary>
    public static (double Loss, float[] Gradient) SoftmaxCrossEntropy(float[] logits, int[] labels, int classes)
    {
        int batch = labels.Length;
        var gradient = new float[logits.Length];
        double loss = 0;
        for (int i = 0; i < batch; i++)
        {
            var row = logits.AsSpan(i * classes, classes);
            var g = gradient.AsSpan(i * classes, classes);
            TensorPrimitives.Subtract(row, TensorPrimitives.Max(row), g);
            float label = g[labels[i]];
            TensorPrimitives.Exp(g, g);
            float sum = TensorPrimitives.Sum(g);
            TensorPrimitives.Divide(g, sum, g);
            loss += Math.Log(sum) - label;
            g[labels[i]] -= 1;
            TensorPrimitives.Divide(g, batch, g);
        }
        return (loss / batch, gradient);
    }

    /// <summary>
    /// Supervised contrastive loss (Khosla et al. 2020) on L2-normalised embeddings (batch×width): every
    /// other example of the same class in the batch is a positive, the rest are in-batch negatives.
    /// Anchors without a positive are skipped.
    /// </summary>
    public static (double Loss, float[] Gradient) SupervisedContrastive(float[] embeddings, int[] labels, int width, double temperature = 0.1)
    {
        int batch = labels.Length;
        var z = new float[embeddings.Length];
        var norms = new float[batch];
        for (int i = 0; i < batch; i++)
        {
            var row = embeddings.AsSpan(i * width, width);
            norms[i] = Math.Max(TensorPrimitives.Norm(row), 1e-12f);
            TensorPrimitives.Divide(row, norms[i], z.AsSpan(i * width, width));
        }
        var similarity = new float[batch * batch];
        MatrixKernels.MultiplyTransposedB(z, z, similarity, batch, width, batch);
        float inverseT = (float)(1 / temperature);
        var dLogits = new double[batch * batch];
        double loss = 0;
        int anchors = 0;
        var p = new double[batch];
        for (int i = 0; i < batch; i++)
        {
            int positives = 0;
            for (int j = 0; j < batch; j++) if (j != i && labels[j] == labels[i]) positives++;
            if (positives == 0) continue;
            anchors++;
            double max = double.NegativeInfinity;
            for (int j = 0; j < batch; j++) if (j != i) max = Math.Max(max, similarity[(i * batch) + j] * inverseT);
            double sum = 0;
            for (int j = 0; j < batch; j++)
            {
                p[j] = j == i ? 0 : Math.Exp((similarity[(i * batch) + j] * inverseT) - max);
                sum += p[j];
            }
            double logSum = Math.Log(sum) + max;
            for (int j = 0; j < batch; j++)
            {
                if (j == i) continue;
                bool positive = labels[j] == labels[i];
                if (positive) loss -= ((similarity[(i * batch) + j] * inverseT) - logSum) / positives;
                dLogits[(i * batch) + j] = (p[j] / sum) - (positive ? 1.0 / positives : 0);
            }
        }
        var gradient = new float[embeddings.Length];
        if (anchors == 0) return (0, gradient);
        // ∂/∂z_i = (1/T)·Σ_j (dL[i,j] + dL[j,i])·z_j, then through the normalisation: (g − (g·z)z)/|x|.
        var dz = new float[width];
        for (int i = 0; i < batch; i++)
        {
            Array.Clear(dz);
            for (int j = 0; j < batch; j++)
            {
                double coefficient = (dLogits[(i * batch) + j] + dLogits[(j * batch) + i]) * inverseT / anchors;
                if (coefficient != 0) TensorPrimitives.MultiplyAdd(z.AsSpan(j * width, width), (float)coefficient, dz, dz);
            }
            var zi = z.AsSpan(i * width, width);
            float along = TensorPrimitives.Dot(dz, zi);
            var gi = gradient.AsSpan(i * width, width);
            TensorPrimitives.MultiplyAdd(zi, -along, dz, gi);
            TensorPrimitives.Divide(gi, norms[i], gi);
        }
        return (loss / anchors, gradient);
    }
}
