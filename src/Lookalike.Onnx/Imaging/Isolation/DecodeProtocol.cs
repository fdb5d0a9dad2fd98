using System.Buffers.Binary;
using System.Text;
using Lookalike.Errors;

namespace Lookalike.Onnx.Imaging.Isolation;

/// <summary>
/// The frames a decoding worker exchanges with its supervisor over its standard input and output,
/// little-endian. Request: magic, width, height, pixel limit, source name, encoded bytes. Answer:
/// status 0 with the original size and the RGBA pixels, or status 1 with the problem and the reason.
/// </summary>
internal static class DecodeProtocol
{
    public const int RequestMagic = 0x4C4B4452; // "LKDR"
    private const int MaxSourceBytes = 4096;
    private const int Ok = 0, Failed = 1;

    public sealed record Request(int Width, int Height, long MaxPixels, string Source, byte[] Encoded);

    public static void WriteRequest(Stream stream, int width, int height, long maxPixels, string source, ReadOnlySpan<byte> encoded)
    {
        byte[] name = Encoding.UTF8.GetBytes(source.Length > 1000 ? source[..1000] : source);
        Span<byte> header = stackalloc byte[28];
        BinaryPrimitives.WriteInt32LittleEndian(header, RequestMagic);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], width);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], height);
        BinaryPrimitives.WriteInt64LittleEndian(header[12..], maxPixels);
        BinaryPrimitives.WriteInt32LittleEndian(header[20..], name.Length);
        BinaryPrimitives.WriteInt32LittleEndian(header[24..], encoded.Length);
        stream.Write(header);
        stream.Write(name);
        stream.Write(encoded);
        stream.Flush();
    }

    /// <summary>The next request, or null at the end of the input.</summary>
    public static Request? ReadRequest(Stream stream)
    {
        Span<byte> header = stackalloc byte[28];
        int first = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        if (first == 0) return null;
        if (first < header.Length || BinaryPrimitives.ReadInt32LittleEndian(header) != RequestMagic)
            throw new InvalidDataException("not a decode request");
        int width = BinaryPrimitives.ReadInt32LittleEndian(header[4..]), height = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        long maxPixels = BinaryPrimitives.ReadInt64LittleEndian(header[12..]);
        int nameLength = BinaryPrimitives.ReadInt32LittleEndian(header[20..]), length = BinaryPrimitives.ReadInt32LittleEndian(header[24..]);
        if (width is < 1 or > 8192 || height is < 1 or > 8192 || nameLength is < 0 or > MaxSourceBytes || length < 0)
            throw new InvalidDataException("a decode request out of range");
        var name = new byte[nameLength];
        stream.ReadExactly(name);
        var encoded = new byte[length];
        stream.ReadExactly(encoded);
        return new Request(width, height, maxPixels, Encoding.UTF8.GetString(name), encoded);
    }

    public static void WriteImage(Stream stream, DecodedImage image)
    {
        Span<byte> header = stackalloc byte[24];
        BinaryPrimitives.WriteInt32LittleEndian(header, Ok);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], image.Width);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], image.Height);
        BinaryPrimitives.WriteInt32LittleEndian(header[12..], image.OriginalWidth);
        BinaryPrimitives.WriteInt32LittleEndian(header[16..], image.OriginalHeight);
        BinaryPrimitives.WriteInt32LittleEndian(header[20..], image.Rgba.Length);
        stream.Write(header);
        stream.Write(image.Rgba);
        stream.Flush();
    }

    public static void WriteProblem(Stream stream, ImageProblem problem, string reason)
    {
        byte[] text = Encoding.UTF8.GetBytes(reason);
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteInt32LittleEndian(header, Failed);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], (int)problem);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], text.Length);
        stream.Write(header);
        stream.Write(text);
        stream.Flush();
    }

    /// <summary>The worker's answer: the image, or the decode error it reported.</summary>
    /// <exception cref="ImageDecodeException">when the worker reported a problem with the image.</exception>
    /// <exception cref="EndOfStreamException">when the worker ended before answering.</exception>
    public static DecodedImage ReadAnswer(Stream stream, string source, int width, int height)
    {
        Span<byte> status = stackalloc byte[4];
        stream.ReadExactly(status);
        if (BinaryPrimitives.ReadInt32LittleEndian(status) == Failed)
        {
            Span<byte> problem = stackalloc byte[8];
            stream.ReadExactly(problem);
            int length = BinaryPrimitives.ReadInt32LittleEndian(problem[4..]);
            if (length is < 0 or > 1 << 16) throw new InvalidDataException("a decode answer out of range");
            var text = new byte[length];
            stream.ReadExactly(text);
            throw new ImageDecodeException(source, Encoding.UTF8.GetString(text), (ImageProblem)BinaryPrimitives.ReadInt32LittleEndian(problem));
        }
        Span<byte> header = stackalloc byte[20];
        stream.ReadExactly(header);
        int w = BinaryPrimitives.ReadInt32LittleEndian(header), h = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
        int bytes = BinaryPrimitives.ReadInt32LittleEndian(header[16..]);
        if (w != width || h != height || bytes != width * height * 4) throw new InvalidDataException("a decode answer of the wrong size");
        var rgba = new byte[bytes];
        stream.ReadExactly(rgba);
        return new DecodedImage(rgba, w, h, BinaryPrimitives.ReadInt32LittleEndian(header[8..]), BinaryPrimitives.ReadInt32LittleEndian(header[12..]));
    }
}
