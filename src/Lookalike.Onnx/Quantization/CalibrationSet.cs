using Lookalike.Errors;
using Lookalike.Indexing;

namespace Lookalike.Onnx.Quantization;

/// <summary>The images a quantization is calibrated on.</summary>
public static class CalibrationSet
{
    /// <summary>Images taken from a folder unless asked otherwise (the least <see cref="QuantizationOptions.MinimumImages"/> accepts).</summary>
    public const int DefaultSize = 200;

    /// <summary>An even sample of <paramref name="count"/> images of <paramref name="folder"/> (every sub-folder in it).</summary>
    /// <exception cref="LookalikeException">when the folder is missing or holds no images.</exception>
    public static IReadOnlyList<string> FromFolder(string folder, int count = DefaultSize) =>
        [.. ImageFiles.Scan(folder).SampleFirst(count).Images.Take(count)];

    /// <summary>
    /// The default set: a fixed sample of <see cref="DefaultSize"/> CIFAR-10 training images plus the photos of the
    /// shared data folder (<see cref="IO.SharedDataFolder"/>), with a description; null when there is none.
    /// </summary>
    public static (IReadOnlyList<string> Images, string Source)? Default()
    {
        if (IO.SharedDataFolder.Find() is not { } shared) return null;
        string cifar = Path.Combine(shared, "datasets", "cifar10", "train");
        string photos = Path.Combine(shared, "images");
        var images = FromFolder(cifar).Concat(Directory.Exists(photos) ? ImageFiles.Scan(photos, allowEmpty: true).Images : []).ToList();
        return (images, $"{cifar} (an even sample of {DefaultSize}) and {photos}");
    }
}
