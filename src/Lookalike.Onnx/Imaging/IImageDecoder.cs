namespace Lookalike.Onnx.Imaging;

/// <summary>Turns an encoded image into RGBA pixels of a given size (decode, orient, composite, resize).</summary>
/// <remarks>Implementations are thread-safe.</remarks>
public interface IImageDecoder
{
    /// <summary>Decodes <paramref name="encoded"/> and resizes it to exactly <paramref name="width"/>×<paramref name="height"/>.</summary>
    /// <exception cref="Errors.ImageDecodeException">when the image cannot be used, with the reason.</exception>
    DecodedImage Load(ReadOnlySpan<byte> encoded, string source, int width, int height);
}
