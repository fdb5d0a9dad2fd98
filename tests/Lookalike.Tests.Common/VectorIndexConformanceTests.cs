using Lookalike.Errors;
using Lookalike.Indexes;

namespace Lookalike.Tests.Common;

/// <summary>
/// The contract every <see cref="IVectorIndex"/> honours. An index's test class inherits this and
/// says how to build one; approximate indexes lower <see cref="RecallFloor"/>.
/// </summary>
public abstract class VectorIndexConformanceTests
{
    protected const int Dimension = 24;

    /// <summary>Creates an empty index (trained on <paramref name="trainingData"/> where it needs it).</summary>
    protected abstract IVectorIndex Create(DistanceMetric metric, int dimension, float[] trainingData);

    /// <summary>Minimum recall@10 against the exact answer on 1,000 seeded Gaussian points.</summary>
    protected virtual double RecallFloor => 1.0;

    /// <summary>
    /// Whether <see cref="Create"/> builds the index over <see cref="Vectors"/> (rows read in place,
    /// as a collection's indexes do) rather than over its own copy.
    /// </summary>
    protected virtual bool ReadsSharedVectors => false;

    /// <summary>The shared vectors of the test's data (when <see cref="ReadsSharedVectors"/>); filled before the index is.</summary>
    protected InMemoryVectorSource? Vectors { get; private set; }

    /// <summary>The index types saved files are read with.</summary>
    protected virtual IndexRegistry Registry => IndexRegistry.Builtin;

    private IVectorIndex Filled(DistanceMetric metric, float[] data, long[] ids, int dimension = Dimension)
    {
        if (ReadsSharedVectors)
        {
            Vectors = new InMemoryVectorSource(dimension);
            Vectors.Add(data, ids);
        }
        var index = Create(metric, dimension, data);
        if (!index.IsTrained) index.Train(data);
        index.Add(data, ids);
        return index;
    }

    [Theory]
    [InlineData(DistanceMetric.L2)]
    [InlineData(DistanceMetric.Cosine)]
    public void Results_match_a_naive_double_precision_scan(DistanceMetric metric)
    {
        float[] data = RandomVectors.Gaussian(1000, Dimension, seed: 1);
        long[] ids = RandomVectors.Ids(1000, start: 5000);
        float[] queries = RandomVectors.Gaussian(20, Dimension, seed: 2);
        using var index = Filled(metric, data, ids);

        const int k = 10;
        var distances = new float[20 * k];
        var found = new long[20 * k];
        index.Search(queries, k, distances, found);

        int hits = 0;
        for (int q = 0; q < 20; q++)
        {
            var truth = NaiveSearch.Nearest(data, ids, Dimension, queries.AsSpan(q * Dimension, Dimension), k, metric);
            var got = found.AsSpan(q * k, k).ToArray();
            hits += truth.Count(t => got.Contains(t.Id));
            for (int i = 0; i < k; i++)
            {
                if (got[i] < 0) continue;
                int row = (int)(got[i] - 5000);
                double exact = NaiveSearch.Distance(data.AsSpan(row * Dimension, Dimension), queries.AsSpan(q * Dimension, Dimension), metric);
                Assert.Equal(exact, distances[(q * k) + i], 1e-4);
                if (i > 0) Assert.True(distances[(q * k) + i - 1] <= distances[(q * k) + i], "results must be sorted best first");
            }
        }
        double recall = hits / (20.0 * k);
        Assert.True(recall >= RecallFloor, $"recall@10 {recall:F3} below the floor {RecallFloor:F3}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_filter_returns_only_allowed_ids_and_still_finds_their_nearest(bool allowList)
    {
        float[] data = RandomVectors.Gaussian(1000, Dimension, seed: 11);
        long[] ids = RandomVectors.Ids(1000);
        float[] queries = RandomVectors.Gaussian(8, Dimension, seed: 12);
        using var index = Filled(DistanceMetric.L2, data, ids);
        // Every third id, or a list of 15 (sparse enough for a graph to rank it exactly).
        var allowed = allowList ? ids.Where(id => id % 67 == 5).ToHashSet() : ids.Where(id => id % 3 == 0).ToHashSet();
        var filter = allowList ? SearchFilter.Allow(allowed) : SearchFilter.Where(allowed.Contains);
        const int k = 10;
        var distances = new float[8 * k];
        var found = new long[8 * k];
        index.Search(queries, k, distances, found, new SearchParameters { Filter = filter });
        Assert.All(found, id => Assert.True(id < 0 || allowed.Contains(id), $"id {id} is not allowed"));
        var allowedIds = ids.Where(allowed.Contains).ToArray();
        var allowedData = allowedIds.SelectMany(id => data.AsSpan((int)id * Dimension, Dimension).ToArray()).ToArray();
        int hits = 0, wanted = 0;
        for (int q = 0; q < 8; q++)
        {
            var truth = NaiveSearch.Nearest(allowedData, allowedIds, Dimension, queries.AsSpan(q * Dimension, Dimension), k, DistanceMetric.L2);
            hits += truth.Count(t => found.AsSpan(q * k, k).Contains(t.Id));
            wanted += truth.Length;
        }
        double recall = (double)hits / wanted;
        Assert.True(recall >= RecallFloor - 0.1, $"filtered recall@10 {recall:F3} far below the floor {RecallFloor:F3}");
    }

    [Fact]
    public void A_batch_finds_what_its_queries_find_one_at_a_time()
    {
        float[] data = RandomVectors.Gaussian(700, Dimension, seed: 13);
        float[] queries = RandomVectors.Gaussian(13, Dimension, seed: 14);
        using var index = Filled(DistanceMetric.Cosine, data, RandomVectors.Ids(700));
        const int k = 7;
        var (batchDistances, batchIds) = (new float[13 * k], new long[13 * k]);
        index.Search(queries, k, batchDistances, batchIds);
        var (distances, found) = (new float[k], new long[k]);
        for (int q = 0; q < 13; q++)
        {
            index.Search(queries.AsSpan(q * Dimension, Dimension), k, distances, found);
            Assert.Equal(found, batchIds.AsSpan(q * k, k).ToArray());
            for (int i = 0; i < k; i++) Assert.Equal(distances[i], batchDistances[(q * k) + i], 1e-5);
        }
    }

    [Fact]
    public void Stored_vectors_find_themselves_at_distance_zero()
    {
        float[] data = RandomVectors.Gaussian(300, Dimension, seed: 3);
        long[] ids = RandomVectors.Ids(300);
        using var index = Filled(DistanceMetric.L2, data, ids);
        var distances = new float[1];
        var found = new long[1];
        for (int i = 0; i < 300; i += 37)
        {
            index.Search(data.AsSpan(i * Dimension, Dimension), 1, distances, found);
            Assert.Equal(i, found[0]);
            Assert.Equal(0, distances[0], 1e-3);
        }
    }

    [Fact]
    public void K_larger_than_the_index_pads_with_minus_one_and_infinity()
    {
        float[] data = RandomVectors.Gaussian(5, Dimension, seed: 4);
        using var index = Filled(DistanceMetric.L2, data, RandomVectors.Ids(5));
        var distances = new float[8];
        var found = new long[8];
        index.Search(data.AsSpan(0, Dimension), 8, distances, found);
        int returned = found.Count(id => id >= 0);
        // An exact index returns all five; an approximate one at least the query's own vector.
        Assert.InRange(returned, RecallFloor >= 1 ? 5 : 1, 5);
        Assert.Equal(0, found[0]);
        Assert.All(found[returned..], id => Assert.Equal(-1, id));
        Assert.All(distances[returned..], d => Assert.True(float.IsPositiveInfinity(d)));
        Assert.Equal(returned, found[..returned].Distinct().Count());
    }

    [Fact]
    public void An_empty_index_returns_no_results()
    {
        float[] training = RandomVectors.Gaussian(100, Dimension, seed: 5);
        using var index = Create(DistanceMetric.L2, Dimension, training);
        if (!index.IsTrained) index.Train(training);
        var distances = new float[3];
        var found = new long[3];
        var stats = index.Search(training.AsSpan(0, Dimension), 3, distances, found);
        Assert.Equal(0, index.Count);
        Assert.All(found, id => Assert.Equal(-1, id));
        Assert.Equal(0, stats.DistancesComputed);
    }

    [Fact]
    public void Dimension_mismatch_is_a_clear_error()
    {
        float[] data = RandomVectors.Gaussian(10, Dimension, seed: 6);
        using var index = Filled(DistanceMetric.L2, data, RandomVectors.Ids(10));
        var add = Assert.Throws<LookalikeException>(() => index.Add(new float[Dimension + 1], [99]));
        Assert.Contains("dimension", add.Message, StringComparison.OrdinalIgnoreCase);
        var search = Assert.Throws<LookalikeException>(() => index.Search(new float[Dimension - 1], 1, new float[1], new long[1]));
        Assert.Contains($"{Dimension}", search.Message);
    }

    [Fact]
    public void Removed_ids_are_never_returned()
    {
        float[] data = RandomVectors.Gaussian(200, Dimension, seed: 7);
        using var index = Filled(DistanceMetric.L2, data, RandomVectors.Ids(200));
        long[] removed = [0, 1, 2, 50, 199];
        index.Remove(removed);
        Assert.Equal(195, index.Count);
        var distances = new float[10];
        var found = new long[10];
        foreach (long id in removed)
        {
            index.Search(data.AsSpan((int)id * Dimension, Dimension), 10, distances, found);
            Assert.DoesNotContain(found, removed.Contains);
        }
    }

    [Fact]
    public void Save_and_load_give_identical_results()
    {
        float[] data = RandomVectors.Gaussian(500, Dimension, seed: 8);
        float[] queries = RandomVectors.Gaussian(10, Dimension, seed: 9);
        using var index = Filled(DistanceMetric.Cosine, data, RandomVectors.Ids(500));
        index.Remove([3, 4]);
        using var stream = new MemoryStream();
        IndexRegistry.Save(index, stream);
        stream.Position = 0;
        using var loaded = Registry.Load(stream, Vectors);

        Assert.Equal(index.Count, loaded.Count);
        Assert.Equal(index.Metric, loaded.Metric);
        Assert.Equal(index.Spec, loaded.Spec);
        var (d1, i1) = (new float[100], new long[100]);
        var (d2, i2) = (new float[100], new long[100]);
        index.Search(queries, 10, d1, i1);
        loaded.Search(queries, 10, d2, i2);
        Assert.Equal(i1, i2);
        Assert.Equal(d1, d2);
    }

    [Fact]
    public void An_empty_clone_keeps_the_training_and_searches_what_is_added_to_it()
    {
        float[] data = RandomVectors.Gaussian(400, Dimension, seed: 13);
        float[] queries = RandomVectors.Gaussian(5, Dimension, seed: 14);
        long[] ids = RandomVectors.Ids(400);
        using var index = Filled(DistanceMetric.L2, data, ids);
        using var clone = index.CloneEmpty();
        Assert.Equal(0, clone.Count);
        Assert.True(clone.IsTrained);
        Assert.Equal(index.Spec, clone.Spec);
        clone.Add(data, ids);
        var (d1, i1) = (new float[25], new long[25]);
        var (d2, i2) = (new float[25], new long[25]);
        index.Search(queries, 5, d1, i1);
        clone.Search(queries, 5, d2, i2);
        Assert.Equal(i1, i2);
        Assert.Equal(d1, d2);
    }

    [Fact]
    public void Adding_an_existing_id_is_rejected()
    {
        float[] data = RandomVectors.Gaussian(10, Dimension, seed: 10);
        using var index = Filled(DistanceMetric.L2, data, RandomVectors.Ids(10));
        Assert.Throws<LookalikeException>(() => index.Add(data.AsSpan(0, Dimension), [3]));
        Assert.Equal(10, index.Count);
    }

    [Fact]
    public void The_same_seed_gives_the_same_results()
    {
        float[] data = RandomVectors.Gaussian(400, Dimension, seed: 11);
        float[] queries = RandomVectors.Gaussian(5, Dimension, seed: 12);
        using var a = Filled(DistanceMetric.L2, data, RandomVectors.Ids(400));
        using var b = Filled(DistanceMetric.L2, data, RandomVectors.Ids(400));
        var (d1, i1) = (new float[25], new long[25]);
        var (d2, i2) = (new float[25], new long[25]);
        a.Search(queries, 5, d1, i1);
        b.Search(queries, 5, d2, i2);
        Assert.Equal(i1, i2);
    }
}
