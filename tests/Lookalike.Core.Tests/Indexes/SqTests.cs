using Lookalike.Indexes;
using Lookalike.Indexes.Quantization;
using Lookalike.Tests.Common;

namespace Lookalike.Core.Tests.Indexes;

public sealed class Sq8ConformanceTests : VectorIndexConformanceTests
{
    protected override IVectorIndex Create(DistanceMetric metric, int dimension, float[] trainingData) =>
        new Sq(dimension, metric, new SqOptions { Storage = VectorStorage.Sq8, Rerank = 64 });

    protected override double RecallFloor => 0.95;
}

public sealed class SqF16OverSharedVectorsConformanceTests : VectorIndexConformanceTests
{
    protected override bool ReadsSharedVectors => true;

    protected override IVectorIndex Create(DistanceMetric metric, int dimension, float[] trainingData) =>
        IndexRegistry.Builtin.Create(dimension, "SQfp16", metric, Vectors);

    protected override double RecallFloor => 0.99;
}

public sealed class SqBehaviourTests
{
    private const int D = 64;

    [Fact]
    public void Sq8_codes_take_a_quarter_of_float32_and_re_ranking_restores_the_exact_answer()
    {
        float[] data = RecallMeter.Clustered(4000, D, clusters: 40, seed: 21);
        float[] queries = RecallMeter.Clustered(100, D, clusters: 40, seed: 22);
        var source = new InMemoryVectorSource(D);
        source.Add(data, RandomVectors.Ids(4000));
        using var index = new Sq(D, DistanceMetric.L2, new SqOptions { Storage = VectorStorage.Sq8, Rerank = 100 }, source);
        index.Train(data);
        index.Add(data, RandomVectors.Ids(4000));
        Assert.Equal(D, index.CodeBytes);
        using var file = new MemoryStream();
        IndexRegistry.Save(index, file);
        Assert.True(file.Length < 4000L * ((4 * D / 4) + 16), $"{file.Length} bytes saved for 4,000 {D}-d vectors: more than a quarter of float32 plus ids");

        var (reranked, _) = RecallMeter.Measure(index, data, queries);
        var (codesOnly, _) = RecallMeter.Measure(new WithSearchParameters(index, new SqSearchParameters { Rerank = 0 }), data, queries);
        Assert.True(reranked >= 0.99, $"recall@10 with re-ranking {reranked:F3}");
        Assert.True(codesOnly >= 0.8, $"recall@10 from the codes alone {codesOnly:F3}");
        Assert.True(reranked >= codesOnly, "re-ranking must not lose recall");
    }

    [Theory]
    [InlineData("SQ8", "Sq(storage=sq8,rerank=64)")]
    [InlineData("SQfp16", "Sq(storage=f16,rerank=64)")]
    [InlineData("Sq(storage=f16,rerank=0)", "Sq(storage=f16,rerank=0)")]
    public void Faiss_short_forms_name_the_storage(string spec, string expected)
    {
        using var index = IndexRegistry.Builtin.Create(D, spec, DistanceMetric.Cosine);
        Assert.Equal(expected, index.Spec);
    }

    [Theory]
    [InlineData("Sq(storage=int4)")]
    [InlineData("Sq(rerank=-1)")]
    [InlineData("Sq,Flat")]
    public void Bad_specs_are_refused(string spec) =>
        Assert.Throws<Lookalike.Errors.LookalikeException>(() => IndexRegistry.Builtin.Create(D, spec, DistanceMetric.L2).Dispose());
}
