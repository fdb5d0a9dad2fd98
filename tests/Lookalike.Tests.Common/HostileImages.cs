using System.Buffers.Binary;
using System.IO.Compression;
using SkiaSharp;

namespace Lookalike.Tests.Common;

/// <summary>One file of the hostile corpus: its name (with the way it was made) and its bytes.</summary>
/// <param name="Name">e.g. "0042-bitflip-seed-png.png".</param>
/// <param name="Bytes">The file.</param>
public sealed record HostileFile(string Name, byte[] Bytes);

/// <summary>
/// A seeded corpus of hostile image files for the decoder and the upload API: bit flips, truncations,
/// overwritten runs, spliced files, huge declared sizes in every format's header, containers (ICO/CUR
/// wrapping a large PNG, TIFF, WBMP, HEIF), decompression bombs, animated GIFs with thousands of
/// frames, random bytes behind valid magic numbers, and the untouched seeds. The same seed always
/// gives the same files.
/// </summary>
public static class HostileImages
{
    /// <summary>The corpus: <paramref name="count"/> files made from seeded random choices.</summary>
    public static IReadOnlyList<HostileFile> Corpus(int count = 2000, int seed = 20261201)
    {
        var random = new Random(seed);
        var seeds = Seeds();
        var special = Specials();
        var files = new List<HostileFile>(count);
        for (int i = 0; i < count; i++)
        {
            var (seedName, seedBytes) = seeds[random.Next(seeds.Count)];
            double pick = random.NextDouble();
            (string How, byte[] Bytes) made = pick switch
            {
                < 0.28 => ("bitflip", FlipBits(seedBytes, random, 1 + random.Next(16))),
                < 0.42 => ("truncated", seedBytes[..random.Next(1, seedBytes.Length)]),
                < 0.52 => ("overwritten", Overwrite(seedBytes, random)),
                < 0.60 => ("spliced", Splice(seedBytes, seeds[random.Next(seeds.Count)].Bytes, random)),
                < 0.72 => ("huge-header", HugeHeader(seedName, seedBytes, random)),
                < 0.86 => special[random.Next(special.Count)],
                < 0.94 => ("garbage", Garbage(seedBytes, random)),
                _ => ("seed", seedBytes),
            };
            files.Add(new HostileFile($"{i:D4}-{made.How}-{seedName}", made.Bytes));
        }
        return files;
    }

    /// <summary>An ICO icon whose only entry is a PNG of <paramref name="side"/>² pixels (the case that crashed the native decoder).</summary>
    public static byte[] IcoWrappingPng(int side)
    {
        byte[] png = BlackPng(side, side);
        var ico = new byte[22 + png.Length];
        BinaryPrimitives.WriteUInt16LittleEndian(ico.AsSpan(2), 1); // type: icon
        BinaryPrimitives.WriteUInt16LittleEndian(ico.AsSpan(4), 1); // one image
        BinaryPrimitives.WriteUInt16LittleEndian(ico.AsSpan(10), 1); // planes
        BinaryPrimitives.WriteUInt16LittleEndian(ico.AsSpan(12), 32); // bits per pixel
        BinaryPrimitives.WriteUInt32LittleEndian(ico.AsSpan(14), (uint)png.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(ico.AsSpan(18), 22);
        png.CopyTo(ico, 22);
        return ico;
    }

    /// <summary>A valid all-black RGB PNG of any size (compresses to little even when huge).</summary>
    public static byte[] BlackPng(int width, int height)
    {
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;
        header[9] = 2;
        WritePngChunk(png, "IHDR", header);
        using (var pixels = new MemoryStream())
        {
            using (var zlib = new ZLibStream(pixels, CompressionLevel.Fastest, leaveOpen: true))
            {
                var row = new byte[1 + (width * 3)];
                for (int y = 0; y < height; y++) zlib.Write(row);
            }
            WritePngChunk(png, "IDAT", pixels.ToArray());
        }
        WritePngChunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>A GIF of <paramref name="frames"/> frames of <paramref name="side"/>² pixels (4 colours).</summary>
    public static byte[] AnimatedGif(int side, int frames, int screenWidth = 0, int screenHeight = 0)
    {
        using var gif = new MemoryStream();
        gif.Write("GIF89a"u8);
        Span<byte> word = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(word, (ushort)(screenWidth > 0 ? screenWidth : side));
        gif.Write(word);
        BinaryPrimitives.WriteUInt16LittleEndian(word, (ushort)(screenHeight > 0 ? screenHeight : side));
        gif.Write(word);
        gif.Write([0xF1, 0, 0]); // global colour table of 4 entries
        gif.Write([0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255]);
        gif.Write([0x21, 0xFF, 11, .. "NETSCAPE2.0"u8, 3, 1, 0, 0, 0]); // loop forever
        byte[] data = LzwOfLiterals(side * side, 2);
        for (int f = 0; f < frames; f++)
        {
            gif.Write([0x21, 0xF9, 4, 0, 1, 0, 0, 0]); // 10 ms a frame
            gif.WriteByte(0x2C);
            gif.Write([0, 0, 0, 0]);
            BinaryPrimitives.WriteUInt16LittleEndian(word, (ushort)side);
            gif.Write(word);
            gif.Write(word);
            gif.WriteByte(0);
            gif.WriteByte(2); // LZW minimum code size
            for (int at = 0; at < data.Length; at += 255)
            {
                int n = Math.Min(255, data.Length - at);
                gif.WriteByte((byte)n);
                gif.Write(data, at, n);
            }
            gif.WriteByte(0);
        }
        gif.WriteByte(0x3B);
        return gif.ToArray();
    }

    private static List<(string Name, byte[] Bytes)> Seeds()
    {
        using var bitmap = new SKBitmap(new SKImageInfo(48, 36, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (int y = 0; y < bitmap.Height; y++)
            for (int x = 0; x < bitmap.Width; x++)
                bitmap.SetPixel(x, y, new SKColor((byte)(x * 5), (byte)(y * 7), (byte)((x + y) * 3), (byte)(200 + (x % 56))));
        using var image = SKImage.FromBitmap(bitmap);
        byte[] Encode(SKEncodedImageFormat format, int quality) => image.Encode(format, quality).ToArray();
        return
        [
            ("seed-jpeg.jpg", Encode(SKEncodedImageFormat.Jpeg, 85)),
            ("seed-png.png", Encode(SKEncodedImageFormat.Png, 100)),
            ("seed-webp-lossy.webp", Encode(SKEncodedImageFormat.Webp, 80)),
            ("seed-webp-lossless.webp", Encode(SKEncodedImageFormat.Webp, 100)),
            ("seed-bmp.bmp", Bmp(bitmap)),
            ("seed-gif.gif", AnimatedGif(16, 3)),
        ];
    }

    /// <summary>Files made once and picked often: containers, bombs, thousands of frames.</summary>
    private static List<(string How, byte[] Bytes)> Specials()
    {
        byte[] tiff = [(byte)'I', (byte)'I', 0x2A, 0, 8, 0, 0, 0, 1, 0, 0, 1, 3, 0, 1, 0, 0, 0, 0x10, 0x27, 0, 0];
        byte[] wbmp = [0, 0, 0x81, 0x80, 0x00, 0x81, 0x80, 0x00, 0xFF, 0xFF];
        byte[] heif = [0, 0, 0, 0x18, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'h', (byte)'e', (byte)'i', (byte)'c', 0, 0, 0, 0,
            (byte)'m', (byte)'i', (byte)'f', (byte)'1', (byte)'h', (byte)'e', (byte)'i', (byte)'c'];
        byte[] ico = IcoWrappingPng(4400);
        byte[] cur = [.. ico];
        cur[2] = 2;
        return
        [
            ("ico-png-4400", ico),
            ("ico-png-5000", IcoWrappingPng(5000)),
            ("ico-png-64", IcoWrappingPng(64)),
            ("cur-png-4400", cur),
            ("tiff", tiff),
            ("wbmp", wbmp),
            ("heif", heif),
            ("png-8000x7000-bomb", BlackPng(8000, 7000)),
            ("png-60000x2-absurd", BlackPng(60000, 2)),
            ("png-deflate-bomb", DeflateBombPng()),
            ("gif-3000-frames", AnimatedGif(8, 3000)),
            ("gif-1500-frames-64", AnimatedGif(64, 1500)),
            ("gif-huge-screen", AnimatedGif(8, 10, 65535, 65535)),
            ("gif-frame-beyond-screen", AnimatedGif(200, 2, 4, 4)),
            ("jpeg-empty-sof", [0xFF, 0xD8, 0xFF, 0xC0, 0, 11, 8, 0, 0, 0, 0, 1, 1, 0x11, 0, 0xFF, 0xD9]),
            ("empty", []),
        ];
    }

    private static byte[] FlipBits(byte[] source, Random random, int flips)
    {
        byte[] bytes = [.. source];
        for (int f = 0; f < flips; f++) bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
        return bytes;
    }

    private static byte[] Overwrite(byte[] source, Random random)
    {
        byte[] bytes = [.. source];
        int start = random.Next(bytes.Length), length = Math.Min(bytes.Length - start, 1 + random.Next(64));
        random.NextBytes(bytes.AsSpan(start, length));
        return bytes;
    }

    private static byte[] Splice(byte[] first, byte[] second, Random random) =>
        [.. first.AsSpan(0, random.Next(1, first.Length)), .. second.AsSpan(random.Next(second.Length))];

    private static byte[] Garbage(byte[] seed, Random random)
    {
        var bytes = new byte[16 + random.Next(4096)];
        random.NextBytes(bytes);
        seed.AsSpan(0, Math.Min(12, seed.Length)).CopyTo(bytes);
        return bytes;
    }

    /// <summary>The seed with its declared width and height replaced by extreme values.</summary>
    private static byte[] HugeHeader(string name, byte[] seed, Random random)
    {
        byte[] bytes = [.. seed];
        uint[] sides = [0, 1, 65535, 65536, 100_000, 0x7FFFFFFF, 0xFFFFFFFF, 30_000];
        uint w = sides[random.Next(sides.Length)], h = sides[random.Next(sides.Length)];
        switch (Path.GetExtension(name))
        {
            case ".png":
                BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(16), w);
                BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(20), h);
                break;
            case ".gif":
                BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(6), (ushort)w);
                BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)h);
                break;
            case ".bmp":
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(18), w);
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(22), h);
                break;
            case ".jpg":
                for (int i = 2; i + 9 < bytes.Length; i++)
                {
                    if (bytes[i] == 0xFF && bytes[i + 1] is 0xC0 or 0xC2)
                    {
                        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(i + 5), (ushort)h);
                        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(i + 7), (ushort)w);
                        break;
                    }
                }
                break;
            case ".webp" when bytes.Length > 30:
                // A VP8X canvas header in place of the first chunk's header.
                "VP8X"u8.CopyTo(bytes.AsSpan(12));
                bytes[24] = bytes[25] = bytes[26] = 0xFF;
                bytes[27] = bytes[28] = bytes[29] = (byte)(h & 0xFF);
                break;
        }
        return bytes;
    }

    /// <summary>A 64×64 PNG whose image data inflates to far more than 64 rows need.</summary>
    private static byte[] DeflateBombPng()
    {
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, 64);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), 64);
        header[8] = 8;
        header[9] = 2;
        WritePngChunk(png, "IHDR", header);
        using (var pixels = new MemoryStream())
        {
            using (var zlib = new ZLibStream(pixels, CompressionLevel.Optimal, leaveOpen: true))
            {
                var block = new byte[1 << 20];
                for (int i = 0; i < 64; i++) zlib.Write(block);
            }
            WritePngChunk(png, "IDAT", pixels.ToArray());
        }
        WritePngChunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>A 24-bit bottom-up BMP of <paramref name="bitmap"/>.</summary>
    public static byte[] Bmp(SKBitmap bitmap)
    {
        int w = bitmap.Width, h = bitmap.Height, stride = ((w * 3) + 3) & ~3;
        var bytes = new byte[54 + (stride * h)];
        bytes[0] = (byte)'B';
        bytes[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(2), bytes.Length);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(18), w);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(22), h);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(28), 24);
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                var c = bitmap.GetPixel(x, h - 1 - y);
                int at = 54 + (y * stride) + (x * 3);
                bytes[at] = c.Blue;
                bytes[at + 1] = c.Green;
                bytes[at + 2] = c.Red;
            }
        }
        return bytes;
    }

    /// <summary>
    /// GIF LZW data for <paramref name="pixels"/> literal codes with a clear code after every two, so
    /// the code width never grows (minimum code size <paramref name="minimum"/>).
    /// </summary>
    private static byte[] LzwOfLiterals(int pixels, int minimum)
    {
        int clear = 1 << minimum, end = clear + 1, width = minimum + 1;
        var output = new List<byte>();
        int buffer = 0, bits = 0;
        void Emit(int code)
        {
            buffer |= code << bits;
            bits += width;
            while (bits >= 8)
            {
                output.Add((byte)buffer);
                buffer >>= 8;
                bits -= 8;
            }
        }
        for (int p = 0; p < pixels; p++)
        {
            if (p % 2 == 0) Emit(clear);
            Emit(p % 3);
        }
        Emit(end);
        if (bits > 0) output.Add((byte)buffer);
        return [.. output];
    }

    private static readonly uint[] CrcTable = [.. Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        return c;
    })];

    private static void WritePngChunk(Stream png, string type, byte[] data)
    {
        Span<byte> number = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(number, data.Length);
        png.Write(number);
        byte[] typeAndData = [.. type.Select(c => (byte)c), .. data];
        png.Write(typeAndData);
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in typeAndData) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        BinaryPrimitives.WriteUInt32BigEndian(number, crc ^ 0xFFFFFFFFu);
        png.Write(number);
    }
}
