namespace Lookalike.Onnx.Imaging;

/// <summary>
/// An image decoded, oriented, composited on white and resized: <see cref="Rgba"/> holds
/// <see cref="Width"/>×<see cref="Height"/> RGBA pixels (alpha always 255).
/// </summary>
/// <param name="Rgba">Pixel bytes, row-major, 4 bytes a pixel.</param>
/// <param name="Width">Width of <see cref="Rgba"/>.</param>
/// <param name="Height">Height of <see cref="Rgba"/>.</param>
/// <param name="OriginalWidth">The image's own width after EXIF orientation.</param>
/// <param name="OriginalHeight">The image's own height after EXIF orientation.</param>
public sealed record DecodedImage(byte[] Rgba, int Width, int Height, int OriginalWidth, int OriginalHeight);
