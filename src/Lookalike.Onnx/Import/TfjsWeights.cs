using System.Runtime.InteropServices;
using Lookalike.Errors;

namespace Lookalike.Onnx.Import;

/// <summary>A weight tensor: Keras shape and float32 values (row-major).</summary>
/// <param name="Shape">Keras shape.</param>
/// <param name="Values">Values in C order.</param>
internal sealed record WeightTensor(int[] Shape, float[] Values);

/// <summary>
/// Reads the binary shards of a tfjs model. Each group's shards are concatenated in the manifest's
/// path order (not file-name order: "shard10" sorts before "shard2"), then cut into weights in the
/// manifest's weight order.
/// </summary>
internal static class TfjsWeights
{
    public static Dictionary<string, WeightTensor> Read(TfjsModel model, string directory, IProgress<int>? shardsRead = null)
    {
        var weights = new Dictionary<string, WeightTensor>(StringComparer.Ordinal);
        int shards = 0;
        foreach (var group in model.WeightGroups)
        {
            long expected = group.Weights.Sum(w => (long)ElementCount(w) * sizeof(float));
            using var bytes = new MemoryStream((int)Math.Min(expected, int.MaxValue));
            foreach (string shard in group.Paths)
            {
                string path = Path.Combine(directory, shard);
                if (!File.Exists(path))
                    throw new LookalikeException($"Weight shard '{shard}' named in model.json is missing from '{directory}'.");
                using (var stream = File.OpenRead(path)) stream.CopyTo(bytes);
                shardsRead?.Report(++shards);
            }
            if (bytes.Length != expected)
                throw new LookalikeException($"The weight shards {string.Join(", ", group.Paths)} hold {bytes.Length} bytes; model.json describes {expected}.");
            var buffer = bytes.GetBuffer().AsSpan(0, (int)bytes.Length);
            int offset = 0;
            foreach (var spec in group.Weights)
            {
                if (spec.DataType != "float32")
                    throw new LookalikeException($"Weight '{spec.Name}' has dtype {spec.DataType}; only float32 weights are supported (no quantised models).");
                int count = ElementCount(spec);
                var values = MemoryMarshal.Cast<byte, float>(buffer.Slice(offset, count * sizeof(float))).ToArray();
                offset += count * sizeof(float);
                weights[spec.Name] = new WeightTensor(spec.Shape, values);
            }
        }
        return weights;
    }

    private static int ElementCount(TfjsWeightSpec spec) => spec.Shape.Aggregate(1, (a, b) => checked(a * b));
}
