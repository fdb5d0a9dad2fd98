using Lookalike.Collections;
using Lookalike.Evaluation.Datasets;
using Lookalike.Indexes;

namespace Lookalike.Scale;

/// <summary>The images the benchmark stores: feature rows with made-up paths and content hashes, and the queries (rows of the same set).</summary>
internal sealed record BenchData(string Source, ModelReference Model, IReadOnlyList<NewImage> Images, float[][] Queries)
{
    public static async Task<BenchData> LoadAsync(string? source, int synthetic, int limit, int queries)
    {
        int dimension;
        float[] values;
        ModelReference model;
        string name;
        if (source is null)
        {
            dimension = 2048;
            var random = new Random(5);
            values = new float[(long)synthetic * dimension];
            for (int i = 0; i < values.Length; i++) values[i] = random.NextSingle();
            model = new ModelReference("synthetic", new string('5', 64), "/synthetic", dimension, "none");
            name = $"synthetic {synthetic} × {dimension}";
        }
        else
        {
            var loaded = await new DatasetLoader(() => throw new InvalidOperationException("only stored features are read"), Path.GetTempPath())
                .LoadAsync(source);
            dimension = loaded.Dimension;
            values = loaded.Vectors;
            model = loaded.Model ?? new ModelReference("features", new string('f', 64), source, dimension, "none");
            name = $"{source} ({loaded.Count} × {dimension})";
        }
        int rows = Math.Min(limit, values.Length / dimension);
        var images = new NewImage[rows];
        for (int i = 0; i < rows; i++)
        {
            images[i] = new NewImage($"/bench/{i:D7}.jpg", Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes((long)i))),
                null, 1000, 32, 32, values.AsSpan(i * dimension, dimension).ToArray());
        }
        var picked = Enumerable.Range(0, Math.Min(queries, rows)).Select(q => images[(int)((long)q * rows / Math.Min(queries, rows))].Features).ToArray();
        return new BenchData(name, model, images, picked);
    }

    public NewCollection Creation => new(Model, DistanceMetric.L2, "Flat");
}
