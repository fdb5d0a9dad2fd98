using Lookalike.Evaluation.Datasets;
using Lookalike.Features;
using Lookalike.Indexes;
using Lookalike.Onnx;
using Lookalike.Onnx.Models;

namespace Lookalike.Ann;

/// <summary>The benchmark's sets: Fashion-MNIST raw pixels, CIFAR-10 ResNet50 features, a seeded synthetic set.</summary>
internal static class AnnDatasets
{
    /// <summary>Fashion-MNIST's raw 784-d pixels (ann-benchmarks' fashion-mnist-784-euclidean): train as database, test as queries.</summary>
    public static AnnDataset FashionMnist(int rows, int queries)
    {
        var train = Evaluation.Datasets.FashionMnist.Load("train");
        var test = Evaluation.Datasets.FashionMnist.Load("test");
        return new AnnDataset("fashion-mnist", DistanceMetric.L2, train.Dimension,
            train.Vectors[..(Math.Min(rows, train.Count) * train.Dimension)], test.Vectors[..(Math.Min(queries, test.Count) * test.Dimension)]);
    }

    /// <summary>
    /// CIFAR-10 through ResNet50 (2048-d, cosine): train as database, the first images of each test
    /// class as queries (or the test split alone, split in two). Features come from the dataset
    /// loader's cache (extracted once per model: about an hour for all 60,000 images on two cores).
    /// </summary>
    public static async Task<AnnDataset> Cifar10(string shared, int queries, bool testSplitOnly)
    {
        string model = Path.Combine(shared, "models", "resnet50-keras-imagenet.onnx");
        OnnxFeatureExtractor? extractor = null;
        try
        {
            var loader = new DatasetLoader(() => extractor ??= new OnnxFeatureExtractor(OnnxFeatureExtractorOptions.ResNet50Keras(model)),
                Path.Combine(ModelLocator.DataDirectory, "cache"));
            var progress = new Progress<Progress.ProgressUpdate>();
            LabeledVectors test = await loader.LoadAsync(Path.Combine(shared, "datasets", "cifar10", "test"), progress);
            if (testSplitOnly)
            {
                // The test split alone (10,000 images, extracted in minutes): the first of each class are the queries, the rest the database.
                var (rest, held) = test.SplitStratified((double)queries / test.Count, seed: 7);
                return new AnnDataset("cifar10-test-resnet50", DistanceMetric.Cosine, test.Dimension, rest.Vectors, held.Vectors);
            }
            LabeledVectors train = await loader.LoadAsync(Path.Combine(shared, "datasets", "cifar10", "train"), progress);
            return new AnnDataset("cifar10-resnet50", DistanceMetric.Cosine, train.Dimension, train.Vectors, test.TakePerClass(queries / 10).Vectors);
        }
        finally
        {
            extractor?.Dispose();
        }
    }

    /// <summary>
    /// Seeded clustered vectors: 1,000 centres, each point its centre plus a 32-d latent offset
    /// through a fixed random basis and a little isotropic noise (low intrinsic dimension, as CNN
    /// features have). Queries are drawn the same way with another seed.
    /// </summary>
    public static AnnDataset Synthetic(int rows, int queries, int dimension, int seed = 2026)
    {
        const int centres = 1000, latent = 32;
        var random = new Random(seed);
        var centre = Gaussian(random, centres * dimension, 1.0f);
        var basis = Gaussian(random, latent * dimension, 0.25f);
        float[] Draw(int count, int drawSeed)
        {
            var values = new float[(long)count * dimension];
            Parallel.For(0, count, i =>
            {
                var local = new Random(HashCode.Combine(drawSeed, i));
                var row = values.AsSpan(i * dimension, dimension);
                centre.AsSpan(local.Next(centres) * dimension, dimension).CopyTo(row);
                for (int l = 0; l < latent; l++)
                {
                    float z = (float)Normal(local);
                    System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(basis.AsSpan(l * dimension, dimension), z, row, row);
                }
                for (int j = 0; j < dimension; j++) row[j] += 0.05f * (float)Normal(local);
            });
            return values;
        }
        return new AnnDataset($"synthetic-{rows / 1000}k-{dimension}", DistanceMetric.L2, dimension, Draw(rows, seed + 1), Draw(queries, seed + 2));
    }

    private static float[] Gaussian(Random random, int count, float scale)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = scale * (float)Normal(random);
        return values;
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
