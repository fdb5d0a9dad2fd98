using System.Runtime.InteropServices;
using Google.Protobuf;
using Lookalike.Errors;
using DataType = global::Onnx.TensorProto.Types.DataType;
using OnnxProto = global::Onnx;

namespace Lookalike.Onnx.Import;

/// <summary>Builds and reads ONNX initializers (raw little-endian data, as ONNX Runtime writes them).</summary>
internal static class OnnxTensors
{
    public static float[] ReadFloats(OnnxProto.TensorProto tensor)
    {
        if (tensor.DataType != (int)DataType.Float)
            throw new LookalikeException($"Initializer '{tensor.Name}' is {(DataType)tensor.DataType}, not float.");
        if (tensor.DataLocation == OnnxProto.TensorProto.Types.DataLocation.External)
            throw new LookalikeException($"Initializer '{tensor.Name}' is stored in an external file, which this build does not read.");
        return tensor.RawData.Length > 0
            ? MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray()
            : [.. tensor.FloatData];
    }

    public static OnnxProto.TensorProto Floats(string name, long[] dims, float[] values) =>
        Raw(name, DataType.Float, dims, MemoryMarshal.AsBytes(values.AsSpan()));

    public static OnnxProto.TensorProto Int8s(string name, long[] dims, sbyte[] values) =>
        Raw(name, DataType.Int8, dims, MemoryMarshal.AsBytes(values.AsSpan()));

    public static OnnxProto.TensorProto UInt8s(string name, long[] dims, byte[] values) => Raw(name, DataType.Uint8, dims, values);

    public static OnnxProto.TensorProto Int32s(string name, long[] dims, int[] values) =>
        Raw(name, DataType.Int32, dims, MemoryMarshal.AsBytes(values.AsSpan()));

    private static OnnxProto.TensorProto Raw(string name, DataType type, long[] dims, ReadOnlySpan<byte> bytes)
    {
        var tensor = new OnnxProto.TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(bytes) };
        tensor.Dims.AddRange(dims);
        return tensor;
    }
}
