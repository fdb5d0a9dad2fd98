using System.Numerics.Tensors;
using Lookalike.Errors;

namespace Lookalike.Clustering;

/// <summary>The outcome of <see cref="KMeans.Fit"/>.</summary>
/// <param name="Centroids">k×d centroids, row-major.</param>
/// <param name="K">Number of centroids.</param>
/// <param name="Dimension">Dimension d.</param>
/// <param name="Objective">Sum of squared distances to the assigned centroid after each assignment step (never increases).</param>
/// <param name="TrainingPoints">Points used (a seeded sample of at most 256 per centroid, as faiss does).</param>
/// <param name="Repairs">Empty clusters re-seeded.</param>
/// <param name="Warning">Set when there were fewer than 39 points per centroid (faiss's warning threshold).</param>
public sealed record KMeansResult(float[] Centroids, int K, int Dimension, IReadOnlyList<double> Objective, int TrainingPoints, int Repairs,
    string? Warning)
{
    /// <summary>Index of the centroid nearest to <paramref name="x"/> (squared Euclidean).</summary>
    public int Nearest(ReadOnlySpan<float> x) => KMeans.Nearest(Centroids, K, Dimension, x, out _);
}

/// <summary>
/// Lloyd's k-means with k-means++ seeding (Arthur &amp; Vassilvitskii 2007), seeded, parallel assignment,
/// and empty-cluster repair that moves an empty centroid onto the point farthest from its own
/// centroid (so the objective still never increases).
/// </summary>
public static class KMeans
{
    /// <summary>Below this many training points per centroid faiss warns that clustering is unreliable.</summary>
    public const int MinPointsPerCentroid = 39;

    /// <summary>Above this many points per centroid a seeded sample is used (faiss's default).</summary>
    public const int MaxPointsPerCentroid = 256;

    /// <summary>Clusters the n×d <paramref name="data"/> into <paramref name="k"/> groups.</summary>
    /// <exception cref="LookalikeException">when there are fewer points than centroids.</exception>
    public static KMeansResult Fit(ReadOnlySpan<float> data, int dimension, int k, int iterations = 25, int seed = 42)
    {
        int n = data.Length / dimension;
        if (k < 1) throw new LookalikeException($"k-means needs at least one centroid (k was {k}).");
        if (n < k) throw new LookalikeException($"k-means with {k} centroids needs at least {k} training vectors (got {n}).");
        var random = new Random(seed);
        float[] points = Sample(data, dimension, n, k, random);
        int m = points.Length / dimension;
        string? warning = m < MinPointsPerCentroid * k
            ? $"{m} training points for {k} centroids: fewer than {MinPointsPerCentroid} per centroid, the clusters may be poor."
            : null;
        float[] centroids = PlusPlus(points, dimension, m, k, random);
        var assignment = new int[m];
        var distance = new float[m];
        var objective = new List<double>();
        int repairs = 0;
        for (int iteration = 0; iteration < iterations; iteration++)
        {
            double total = Assign(points, dimension, m, centroids, k, assignment, distance);
            objective.Add(total);
            if (iteration > 0 && objective[^2] - total <= 1e-7 * Math.Max(1, objective[^2])) break;
            repairs += Update(points, dimension, m, centroids, k, assignment, distance);
        }
        return new KMeansResult(centroids, k, dimension, objective, m, repairs, warning);
    }

    /// <summary>Index of the row of <paramref name="centroids"/> nearest to <paramref name="x"/>.</summary>
    public static int Nearest(float[] centroids, int k, int dimension, ReadOnlySpan<float> x, out float squaredDistance)
    {
        int best = 0;
        float bestDistance = float.PositiveInfinity;
        for (int c = 0; c < k; c++)
        {
            float d = Squared(x, centroids.AsSpan(c * dimension, dimension));
            if (d < bestDistance) (best, bestDistance) = (c, d);
        }
        squaredDistance = bestDistance;
        return best;
    }

    private static float Squared(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float d = TensorPrimitives.Distance(a, b);
        return d * d;
    }

    private static float[] Sample(ReadOnlySpan<float> data, int dimension, int n, int k, Random random)
    {
        int limit = (int)Math.Min(n, (long)k * MaxPointsPerCentroid);
        if (limit == n) return data.ToArray();
        var rows = Enumerable.Range(0, n).ToArray();
        random.Shuffle(rows);
        var sample = new float[limit * dimension];
        for (int i = 0; i < limit; i++) data.Slice(rows[i] * dimension, dimension).CopyTo(sample.AsSpan(i * dimension, dimension));
        return sample;
    }

    /// <summary>k-means++: each next centroid drawn with probability proportional to the squared distance to the nearest chosen one.</summary>
    private static float[] PlusPlus(float[] points, int dimension, int m, int k, Random random)
    {
        var centroids = new float[k * dimension];
        var nearest = new double[m];
        int first = random.Next(m);
        points.AsSpan(first * dimension, dimension).CopyTo(centroids);
        for (int i = 0; i < m; i++) nearest[i] = Squared(points.AsSpan(i * dimension, dimension), centroids.AsSpan(0, dimension));
        for (int c = 1; c < k; c++)
        {
            double sum = nearest.Sum();
            int chosen = m - 1;
            if (sum > 0)
            {
                double target = random.NextDouble() * sum;
                for (int i = 0; i < m; i++)
                {
                    target -= nearest[i];
                    if (target <= 0)
                    {
                        chosen = i;
                        break;
                    }
                }
            }
            else
            {
                chosen = random.Next(m);
            }
            var centroid = centroids.AsSpan(c * dimension, dimension);
            points.AsSpan(chosen * dimension, dimension).CopyTo(centroid);
            for (int i = 0; i < m; i++) nearest[i] = Math.Min(nearest[i], Squared(points.AsSpan(i * dimension, dimension), centroid));
        }
        return centroids;
    }

    private static double Assign(float[] points, int dimension, int m, float[] centroids, int k, int[] assignment, float[] distance)
    {
        Parallel.For(0, m, i =>
        {
            assignment[i] = Nearest(centroids, k, dimension, points.AsSpan(i * dimension, dimension), out float d);
            distance[i] = d;
        });
        return distance.Sum(d => (double)d);
    }

    /// <summary>Moves each centroid to its points' mean; re-seeds empty ones. Returns the number of repairs.</summary>
    private static int Update(float[] points, int dimension, int m, float[] centroids, int k, int[] assignment, float[] distance)
    {
        var sums = new double[k * dimension];
        var counts = new int[k];
        for (int i = 0; i < m; i++)
        {
            int c = assignment[i];
            counts[c]++;
            var row = points.AsSpan(i * dimension, dimension);
            for (int j = 0; j < dimension; j++) sums[(c * dimension) + j] += row[j];
        }
        for (int c = 0; c < k; c++)
        {
            if (counts[c] == 0) continue;
            for (int j = 0; j < dimension; j++) centroids[(c * dimension) + j] = (float)(sums[(c * dimension) + j] / counts[c]);
        }
        int repairs = 0;
        for (int c = 0; c < k; c++)
        {
            if (counts[c] > 0) continue;
            // The point farthest from its centroid (in a cluster that keeps at least one other point) becomes the new centroid.
            int far = -1;
            for (int i = 0; i < m; i++)
            {
                if (counts[assignment[i]] > 1 && (far < 0 || distance[i] > distance[far])) far = i;
            }
            if (far < 0) break;
            points.AsSpan(far * dimension, dimension).CopyTo(centroids.AsSpan(c * dimension, dimension));
            counts[assignment[far]]--;
            counts[c] = 1;
            assignment[far] = c;
            distance[far] = 0;
            repairs++;
        }
        return repairs;
    }
}
