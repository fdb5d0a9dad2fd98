using System.Numerics.Tensors;
using Lookalike.Errors;
using Lookalike.Indexes;

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
    private VectorStore? _store;

    /// <summary>Index of the centroid nearest to <paramref name="x"/> (squared Euclidean).</summary>
    public int Nearest(ReadOnlySpan<float> x) => KMeans.Nearest(Centroids, K, Dimension, x, out _);

    /// <summary>The nearest centroid of each of the n×d <paramref name="points"/>, computed as one blocked scan.</summary>
    public int[] NearestOfEach(ReadOnlySpan<float> points)
    {
        _store ??= KMeans.CentroidStore(Centroids, K, Dimension);
        return KMeans.Assign(_store, points, out _);
    }
}

/// <summary>
/// Lloyd's k-means, seeded: k-means++ seeding (Arthur &amp; Vassilvitskii 2007) while it is cheap
/// (k·n·d up to <see cref="PlusPlusWork"/>), otherwise k distinct random points as faiss seeds
/// (k-means++ costs k passes over the data); each assignment step is one blocked exact scan of the
/// points against the centroids (<see cref="ExactScan"/>, on all cores), each update sums the
/// points in parallel; empty-cluster repair moves an empty centroid onto the point farthest from
/// its own centroid (so the objective still never increases).
/// </summary>
public static class KMeans
{
    /// <summary>Below this many training points per centroid faiss warns that clustering is unreliable.</summary>
    public const int MinPointsPerCentroid = 39;

    /// <summary>Above this many points per centroid a seeded sample is used (faiss's default).</summary>
    public const int MaxPointsPerCentroid = 256;

    /// <summary>Largest k·n·d for which centroids are seeded by k-means++.</summary>
    public const long PlusPlusWork = 200_000_000;

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
        float[] centroids = (long)k * m * dimension <= PlusPlusWork ? PlusPlus(points, dimension, m, k, random) : RandomPoints(points, dimension, m, k, random);
        var assignment = new int[m];
        var distance = new float[m];
        // The points are prepared for the blocked scan once; only the centroids change between iterations.
        var prepared = ExactScan.Prepare(new VectorStore(dimension, DistanceMetric.L2), points);
        var objective = new List<double>();
        int repairs = 0;
        for (int iteration = 0; iteration < iterations; iteration++)
        {
            double total = Assign(prepared, dimension, centroids, k, assignment, distance);
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
        NearestUpdate(points, dimension, m, centroids.AsSpan(0, dimension).ToArray(), nearest, first: true);
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
            NearestUpdate(points, dimension, m, centroid.ToArray(), nearest, first: false);
        }
        return centroids;
    }

    /// <summary>Lowers each point's squared distance to its nearest chosen centroid by the new <paramref name="centroid"/>, on all cores.</summary>
    private static void NearestUpdate(float[] points, int dimension, int m, float[] centroid, double[] nearest, bool first)
    {
        Parallel.For(0, (m + 1023) / 1024, block =>
        {
            for (int i = block * 1024; i < Math.Min(m, (block + 1) * 1024); i++)
            {
                double d = VectorKernels.SquaredL2(points.AsSpan(i * dimension, dimension), centroid);
                nearest[i] = first ? d : Math.Min(nearest[i], d);
            }
        });
    }

    /// <summary>k distinct points drawn at random (faiss's seeding).</summary>
    private static float[] RandomPoints(float[] points, int dimension, int m, int k, Random random)
    {
        var rows = Enumerable.Range(0, m).ToArray();
        random.Shuffle(rows);
        var centroids = new float[k * dimension];
        for (int c = 0; c < k; c++) points.AsSpan(rows[c] * dimension, dimension).CopyTo(centroids.AsSpan(c * dimension, dimension));
        return centroids;
    }

    /// <summary>The centroids as an exact-scan store, id = centroid number.</summary>
    internal static VectorStore CentroidStore(float[] centroids, int k, int dimension)
    {
        var store = new VectorStore(dimension, DistanceMetric.L2);
        var ids = new long[k];
        for (int c = 0; c < k; c++) ids[c] = c;
        store.Add(centroids.AsSpan(0, k * dimension), ids);
        return store;
    }

    /// <summary>Nearest centroid of each point and its squared distance, as one blocked scan.</summary>
    internal static int[] Assign(VectorStore centroids, ReadOnlySpan<float> points, out float[] squaredDistances) =>
        Assign(centroids, ExactScan.Prepare(centroids, points), out squaredDistances);

    private static int[] Assign(VectorStore centroids, PreparedQueries points, out float[] squaredDistances)
    {
        int m = points.Count;
        var distances = new float[m];
        var ids = new long[m];
        if (m > 0) ExactScan.Search(centroids, points, 1, distances, ids);
        var assignment = new int[m];
        for (int i = 0; i < m; i++)
        {
            assignment[i] = (int)ids[i];
            distances[i] *= distances[i];
        }
        squaredDistances = distances;
        return assignment;
    }

    private static double Assign(PreparedQueries points, int dimension, float[] centroids, int k, int[] assignment, float[] distance)
    {
        var nearest = Assign(CentroidStore(centroids, k, dimension), points, out var squared);
        nearest.CopyTo(assignment, 0);
        squared.CopyTo(distance, 0);
        return distance.Sum(d => (double)d);
    }

    /// <summary>Moves each centroid to its points' mean; re-seeds empty ones. Returns the number of repairs.</summary>
    private static int Update(float[] points, int dimension, int m, float[] centroids, int k, int[] assignment, float[] distance)
    {
        var sums = new float[k * dimension];
        var counts = new int[k];
        // Each worker sums its share of the points (vectorised), then the shares are added up.
        var partials = new System.Collections.Concurrent.ConcurrentBag<(float[] Sums, int[] Counts)>();
        Parallel.For(0, (m + 4095) / 4096, () => (Sums: new float[k * dimension], Counts: new int[k]), (block, _, local) =>
        {
            for (int i = block * 4096; i < Math.Min(m, (block + 1) * 4096); i++)
            {
                int c = assignment[i];
                local.Counts[c]++;
                var sum = local.Sums.AsSpan(c * dimension, dimension);
                TensorPrimitives.Add(sum, points.AsSpan(i * dimension, dimension), sum);
            }
            return local;
        }, partials.Add);
        foreach (var (partSums, partCounts) in partials)
        {
            TensorPrimitives.Add(sums, partSums, sums);
            for (int c = 0; c < k; c++) counts[c] += partCounts[c];
        }
        for (int c = 0; c < k; c++)
        {
            if (counts[c] == 0) continue;
            TensorPrimitives.Multiply(sums.AsSpan(c * dimension, dimension), 1f / counts[c], centroids.AsSpan(c * dimension, dimension));
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
