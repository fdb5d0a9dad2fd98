using Lookalike.Errors;

namespace Lookalike.Indexes;

/// <summary>
/// Centring of the angular hashing indexes: the mean of the training vectors, as the store compares
/// them (normalised for cosine), is subtracted before hashing, so that data lying in one cone (ReLU
/// features are all non-negative) is split by hyperplanes and cross-polytope vertices through its
/// middle rather than through the origin.
/// </summary>
internal static class LshCentring
{
    /// <summary>The mean of <paramref name="vectors"/> as <paramref name="store"/> compares them; throws once rows were added.</summary>
    public static float[] Fit(VectorStore store, ReadOnlySpan<float> vectors, string type)
    {
        int d = store.Dimension;
        int n = IndexArguments.RowCount(vectors, d, "the training vectors");
        if (store.RowCount > 0) throw new LookalikeException($"{type} is trained before vectors are added; build a new index to train again.");
        if (n == 0) throw new LookalikeException($"{type} with centre=1 needs at least one training vector.");
        var sum = new double[d];
        var buffer = new float[d];
        for (int i = 0; i < n; i++)
        {
            var row = store.PrepareQuery(vectors.Slice(i * d, d), buffer);
            for (int c = 0; c < d; c++) sum[c] += row[c];
        }
        return [.. sum.Select(s => (float)(s / n))];
    }

    /// <summary>The error for adding to or searching an index that needs its mean first.</summary>
    public static LookalikeException NotTrained(string type) => new($"{type} with centre=1 must be trained before vectors are added or searched.");

    /// <summary>Reads the 0/1 <c>centre</c> parameter.</summary>
    public static bool Parse(IndexSpecComponent component, string type, bool fallback)
    {
        int centre = component.GetInt("centre", fallback ? 1 : 0);
        if (centre is not (0 or 1)) throw new LookalikeException($"{type} centre must be 0 or 1 (was {centre}).");
        return centre == 1;
    }

    /// <summary>Writes the mean (when there is one) after a flag.</summary>
    public static void Write(BinaryWriter writer, float[]? mean)
    {
        writer.Write(mean is not null);
        if (mean is not null) writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(mean.AsSpan()));
    }

    /// <summary>Reads what <see cref="Write"/> wrote.</summary>
    public static float[]? Read(BinaryReader reader, int dimension)
    {
        if (!reader.ReadBoolean()) return null;
        var mean = new float[dimension];
        reader.BaseStream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(mean.AsSpan()));
        return mean;
    }
}
