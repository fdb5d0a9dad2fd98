using System.Buffers.Binary;
using Lookalike.Errors;

namespace Lookalike.Onnx.Imaging;

/// <summary>
/// The format and declared size of an encoded image, read in managed code from its first bytes
/// before any native decoder sees them. Only the documented formats are accepted, recognised by
/// their magic bytes (not by a file name): JPEG, PNG, GIF, BMP and WebP. Containers the native
/// decoder would also open (ICO/CUR, TIFF, WBMP, HEIF/AVIF, …) are refused here, because they can
/// wrap other images whose size the outer header does not show.
/// </summary>
/// <param name="Format">"jpeg", "png", "gif", "bmp" or "webp".</param>
/// <param name="Width">Declared width in pixels (before EXIF orientation).</param>
/// <param name="Height">Declared height in pixels (before EXIF orientation).</param>
public sealed record ImageHeader(string Format, int Width, int Height)
{
    /// <summary>The formats accepted, as named in messages.</summary>
    public const string Supported = "JPEG, PNG, GIF, BMP, WebP";

    /// <summary>Pixels declared by the header.</summary>
    public long Pixels => (long)Width * Height;

    /// <summary>Reads the header of <paramref name="encoded"/>.</summary>
    /// <exception cref="ImageDecodeException">when the bytes are empty, of another format, truncated or inconsistent.</exception>
    public static ImageHeader Read(ReadOnlySpan<byte> encoded, string source)
    {
        if (encoded.IsEmpty) throw new ImageDecodeException(source, "empty file (0 bytes)", ImageProblem.Empty);
        var header = encoded switch
        {
            [0xFF, 0xD8, 0xFF, ..] => Jpeg(encoded, source),
            [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Png(encoded, source),
            [(byte)'G', (byte)'I', (byte)'F', (byte)'8', (byte)'7' or (byte)'9', (byte)'a', ..] => Gif(encoded, source),
            [(byte)'B', (byte)'M', ..] => Bmp(encoded, source),
            [(byte)'R', (byte)'I', (byte)'F', (byte)'F', _, _, _, _, (byte)'W', (byte)'E', (byte)'B', (byte)'P', ..] => WebP(encoded, source),
            _ => throw Unsupported(encoded, source),
        };
        if (header.Width <= 0 || header.Height <= 0)
        {
            throw new ImageDecodeException(source,
                $"the {header.Format.ToUpperInvariant()} header declares {header.Width}×{header.Height} pixels", ImageProblem.AbsurdDimensions);
        }
        return header;
    }

    private static ImageHeader Jpeg(ReadOnlySpan<byte> b, string source)
    {
        int at = 2;
        while (true)
        {
            // Markers may be preceded by any number of 0xFF fill bytes.
            while (at < b.Length && b[at] != 0xFF) at++;
            while (at < b.Length && b[at] == 0xFF) at++;
            if (at >= b.Length) throw Truncated(source, "JPEG");
            byte marker = b[at++];
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7)) continue; // no length field
            if (marker is 0xD9 or 0xDA)
                throw new ImageDecodeException(source, "corrupt JPEG: no frame header before the image data");
            if (at + 2 > b.Length) throw Truncated(source, "JPEG");
            int length = BinaryPrimitives.ReadUInt16BigEndian(b[at..]);
            if (length < 2) throw new ImageDecodeException(source, "corrupt JPEG: a segment length below 2");
            bool startOfFrame = marker is >= 0xC0 and <= 0xCF and not (0xC4 or 0xC8 or 0xCC);
            if (startOfFrame)
            {
                if (at + 7 > b.Length) throw Truncated(source, "JPEG");
                int height = BinaryPrimitives.ReadUInt16BigEndian(b[(at + 3)..]);
                int width = BinaryPrimitives.ReadUInt16BigEndian(b[(at + 5)..]);
                return new ImageHeader("jpeg", width, height);
            }
            at += length;
        }
    }

    private static ImageHeader Png(ReadOnlySpan<byte> b, string source)
    {
        if (b.Length < 24) throw Truncated(source, "PNG");
        if (!b[12..16].SequenceEqual("IHDR"u8)) throw new ImageDecodeException(source, "corrupt PNG: the first chunk is not IHDR");
        uint width = BinaryPrimitives.ReadUInt32BigEndian(b[16..]), height = BinaryPrimitives.ReadUInt32BigEndian(b[20..]);
        return new ImageHeader("png", Clamp(width), Clamp(height));
    }

    private static ImageHeader Gif(ReadOnlySpan<byte> b, string source)
    {
        if (b.Length < 10) throw Truncated(source, "GIF");
        return new ImageHeader("gif", BinaryPrimitives.ReadUInt16LittleEndian(b[6..]), BinaryPrimitives.ReadUInt16LittleEndian(b[8..]));
    }

    private static ImageHeader Bmp(ReadOnlySpan<byte> b, string source)
    {
        if (b.Length < 18) throw Truncated(source, "BMP");
        uint infoSize = BinaryPrimitives.ReadUInt32LittleEndian(b[14..]);
        if (infoSize == 12)
        {
            // OS/2 BITMAPCOREHEADER: 16-bit sides.
            if (b.Length < 22) throw Truncated(source, "BMP");
            return new ImageHeader("bmp", BinaryPrimitives.ReadUInt16LittleEndian(b[18..]), BinaryPrimitives.ReadUInt16LittleEndian(b[20..]));
        }
        if (infoSize < 16) throw new ImageDecodeException(source, $"corrupt BMP: an info header of {infoSize} bytes");
        if (b.Length < 26) throw Truncated(source, "BMP");
        int width = BinaryPrimitives.ReadInt32LittleEndian(b[18..]), height = BinaryPrimitives.ReadInt32LittleEndian(b[22..]);
        // A negative height means rows are stored top-down.
        return new ImageHeader("bmp", width, height == int.MinValue ? 0 : Math.Abs(height));
    }

    private static ImageHeader WebP(ReadOnlySpan<byte> b, string source)
    {
        if (b.Length < 30) throw Truncated(source, "WebP");
        var chunk = b[12..16];
        if (chunk.SequenceEqual("VP8X"u8))
            return new ImageHeader("webp", 1 + ReadUInt24(b[24..]), 1 + ReadUInt24(b[27..]));
        if (chunk.SequenceEqual("VP8L"u8))
        {
            if (b[20] != 0x2F) throw new ImageDecodeException(source, "corrupt WebP: bad lossless signature");
            uint bits = BinaryPrimitives.ReadUInt32LittleEndian(b[21..]);
            return new ImageHeader("webp", 1 + (int)(bits & 0x3FFF), 1 + (int)((bits >> 14) & 0x3FFF));
        }
        if (chunk.SequenceEqual("VP8 "u8))
        {
            if (b[23] != 0x9D || b[24] != 0x01 || b[25] != 0x2A) throw new ImageDecodeException(source, "corrupt WebP: bad key frame start code");
            return new ImageHeader("webp", BinaryPrimitives.ReadUInt16LittleEndian(b[26..]) & 0x3FFF,
                BinaryPrimitives.ReadUInt16LittleEndian(b[28..]) & 0x3FFF);
        }
        throw new ImageDecodeException(source, "corrupt WebP: no VP8, VP8L or VP8X chunk first");
    }

    private static int ReadUInt24(ReadOnlySpan<byte> b) => b[0] | (b[1] << 8) | (b[2] << 16);

    private static int Clamp(uint side) => side > int.MaxValue ? int.MaxValue : (int)side;

    private static ImageDecodeException Truncated(string source, string format) =>
        new(source, $"truncated image data (the {format} header is incomplete)", ImageProblem.Truncated);

    private static ImageDecodeException Unsupported(ReadOnlySpan<byte> b, string source)
    {
        string? known = b switch
        {
            [0, 0, 1 or 2, 0, ..] => "an ICO/CUR icon container",
            [(byte)'I', (byte)'I', 0x2A, 0, ..] or [(byte)'M', (byte)'M', 0, 0x2A, ..] => "TIFF",
            [_, _, _, _, (byte)'f', (byte)'t', (byte)'y', (byte)'p', ..] => "an ISO media file (HEIF/AVIF/MP4)",
            [0, 0, ..] => "possibly WBMP",
            [(byte)'%', (byte)'P', (byte)'D', (byte)'F', ..] => "PDF",
            [(byte)'<', ..] => "text or markup",
            _ => null,
        };
        return new ImageDecodeException(source,
            $"not a supported image format{(known is null ? "" : $" ({known})")}; supported: {Supported}", ImageProblem.Unsupported);
    }
}
