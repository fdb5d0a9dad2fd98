namespace Lookalike.Training.Hashing;

/// <summary>
/// The loss that teaches a hash network to keep neighbours together: soft codes h ∈ (−1, 1)^J
/// (tanh outputs) of anchors should agree with their neighbours' codes, disagree with sampled
/// negatives (hinge at <c>margin</c>), and every bit should split the data evenly and independently
/// of the others (penalties on the bit means and on the bit correlations), which keeps buckets balanced.
/// </summary>
public static class HashingLoss
{
    /// <summary>Loss and ∂loss/∂h for codes <paramref name="h"/> (rows×bits).</summary>
    /// <param name="h">Soft codes, one row per example.</param>
    /// <param name="bits">Code length J.</param>
    /// <param name="pairs">(anchor row, positive row) pairs.</param>
    /// <param name="negatives">(anchor row, negative row) pairs.</param>
    /// <param name="margin">Agreement above which a negative is penalised.</param>
    /// <param name="balance">Weight of the bit-mean and bit-correlation penalties.</param>
    public static (double Loss, float[] Gradient) Compute(float[] h, int bits, IReadOnlyList<(int A, int B)> pairs,
        IReadOnlyList<(int A, int B)> negatives, double margin = 0.0, double balance = 1.0)
    {
        int rows = h.Length / bits;
        var gradient = new double[h.Length];
        double loss = 0;
        double Agreement(int a, int b)
        {
            double s = 0;
            for (int j = 0; j < bits; j++) s += h[(a * bits) + j] * h[(b * bits) + j];
            return s / bits;
        }
        void Push(int a, int b, double weight)
        {
            for (int j = 0; j < bits; j++)
            {
                gradient[(a * bits) + j] += weight * h[(b * bits) + j] / bits;
                gradient[(b * bits) + j] += weight * h[(a * bits) + j] / bits;
            }
        }
        if (pairs.Count > 0)
        {
            foreach (var (a, b) in pairs)
            {
                loss += (1 - Agreement(a, b)) / pairs.Count;
                Push(a, b, -1.0 / pairs.Count);
            }
        }
        if (negatives.Count > 0)
        {
            foreach (var (a, b) in negatives)
            {
                double excess = Agreement(a, b) - margin;
                if (excess <= 0) continue;
                loss += excess / negatives.Count;
                Push(a, b, 1.0 / negatives.Count);
            }
        }
        if (balance > 0 && rows > 0)
        {
            var mean = new double[bits];
            for (int r = 0; r < rows; r++) for (int j = 0; j < bits; j++) mean[j] += h[(r * bits) + j] / rows;
            var correlation = new double[bits * bits];
            for (int r = 0; r < rows; r++)
            {
                for (int j = 0; j < bits; j++)
                {
                    for (int k = j + 1; k < bits; k++) correlation[(j * bits) + k] += h[(r * bits) + j] * h[(r * bits) + k] / rows;
                }
            }
            for (int j = 0; j < bits; j++)
            {
                loss += balance * mean[j] * mean[j];
                for (int k = j + 1; k < bits; k++) loss += balance * correlation[(j * bits) + k] * correlation[(j * bits) + k];
            }
            for (int r = 0; r < rows; r++)
            {
                for (int j = 0; j < bits; j++)
                {
                    double g = 2 * balance * mean[j] / rows;
                    for (int k = 0; k < bits; k++)
                    {
                        if (k == j) continue;
                        double c = j < k ? correlation[(j * bits) + k] : correlation[(k * bits) + j];
                        g += 2 * balance * c * h[(r * bits) + k] / rows;
                    }
                    gradient[(r * bits) + j] += g;
                }
            }
        }
        return (loss, [.. gradient.Select(g => (float)g)]);
    }
}
