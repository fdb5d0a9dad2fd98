using System.Diagnostics;
using System.IO.Compression;
using Google.Protobuf;
using Lookalike.Errors;
using Lookalike.IO;
using Lookalike.Onnx.Import;
using Lookalike.Progress;
using OnnxProto = global::Onnx;

namespace Lookalike.Onnx.Models;

/// <summary>
/// Builds the ImageNet ResNet18 backbone from the NuGet package <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c>
/// (MIT): restores the package with the .NET SDK (or takes a given .nupkg), verifies its SHA-256, reads
/// the network and its preprocessing graph from it and joins them (<see cref="ResNet18Graph"/>).
/// </summary>
/// <remarks>
/// The package holds the convolutional network only, up to its 512-d average pool (a CNTK 2.6 export,
/// opset 8, batch norm unfolded); there is no ImageNet classifier, so no labels and no top-1 to check.
/// It is fed BGR 0..255 minus a 224×224 ImageNet mean image, which the joined graph subtracts itself.
/// </remarks>
public static class ResNet18Fetcher
{
    /// <summary>NuGet package id.</summary>
    public const string PackageId = "Microsoft.ML.DnnImageFeaturizer.ResNet18";

    /// <summary>NuGet package version.</summary>
    public const string PackageVersion = "0.24.0";

    /// <summary>SHA-256 of <c>microsoft.ml.dnnimagefeaturizer.resnet18.0.24.0.nupkg</c>.</summary>
    public const string NupkgSha256 = "bedf0c5ce14b01c863ce6a859fa7e322277a1d073b24d88d22ff8dac4dad1525";

    private const string NetworkEntry = "tools/DnnImageModels/ResNet18Onnx/ResNet18.onnx";
    private const string PreprocessingEntry = "tools/DnnImageModels/ResNetPrepOnnx/ResNetPreprocess.onnx";

    /// <summary>How the joined model is fed: BGR 0..255 (the model subtracts the mean image itself).</summary>
    public static OnnxFeatureExtractorOptions Feed(string modelPath) => new()
    {
        ModelPath = modelPath,
        ModelId = Backbones.ResNet18.Name,
        InputName = ResNet18Graph.InputName,
        OutputName = ResNet18Graph.OutputName,
        ChannelOrder = ChannelOrder.Bgr,
    };

    /// <summary>Fetches and builds ResNet18 unless a verified copy is already in place.</summary>
    /// <exception cref="LookalikeException">when the SDK is missing, the package's hash is wrong, or it lacks the model files.</exception>
    public static async Task<ModelFetchReport> FetchAsync(ModelFetchOptions options, IProgress<ProgressUpdate>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var backbone = Backbones.ResNet18;
        string modelPath = backbone.PathIn(options.OutDirectory);
        if (ModelCard.IsPresent(backbone, options.OutDirectory, withLabels: false))
            return new ModelFetchReport(modelPath, true, new FileInfo(modelPath).Length, null, clock.Elapsed);

        string nupkg;
        if (options.From is { } from)
        {
            nupkg = from;
            PackageFile.Verify(nupkg, NupkgSha256, $"{PackageId} {PackageVersion}", deleteWhenWrong: false);
        }
        else
        {
            progress?.Report(new ProgressUpdate($"Restoring {PackageId} {PackageVersion} with dotnet restore (60 MB)", 0, 1));
            nupkg = await NuGetPackageDownload.GetAsync(PackageId, PackageVersion, NupkgSha256, options.CacheDirectory, cancellationToken);
        }
        progress?.Report(new ProgressUpdate("Joining the ResNet18 graphs", 0, 1));
        string source = $"NuGet {PackageId} {PackageVersion} (nupkg sha256 {NupkgSha256})";
        var (network, preprocessing) = ReadGraphs(nupkg);
        var model = ResNet18Graph.Join(network, preprocessing, source);
        var feed = Feed(modelPath);
        OnnxModelFile.SetMetadata(model, OnnxFeatureExtractorOptions.FeedMetadataKey, feed.ToFeedMetadata());
        OnnxModelFile.Write(model, modelPath);
        long bytes = new FileInfo(modelPath).Length;
        new ModelCard(backbone.Name, source, NupkgSha256, FileHash.Sha256Of(modelPath), bytes, feed.DescribePreprocessing(),
            "input float32 [N,3,224,224] NCHW, BGR 0..255; the graph subtracts the 224x224 ImageNet mean image of the package",
            [ResNet18Graph.OutputName], "MIT (ML.NET)", DateTimeOffset.UtcNow, Math.Round(clock.Elapsed.TotalSeconds, 2),
            "The package's network ends at its 7x7 average pool (512-d); it has no ImageNet classifier.").Write(backbone.CardPathIn(options.OutDirectory));
        progress?.Report(new ProgressUpdate("Joining the ResNet18 graphs", 1, 1));
        return new ModelFetchReport(modelPath, false, bytes, null, clock.Elapsed);
    }

    private static (OnnxProto.ModelProto Network, OnnxProto.ModelProto Preprocessing) ReadGraphs(string nupkg)
    {
        try
        {
            using var zip = ZipFile.OpenRead(nupkg);
            OnnxProto.ModelProto Read(string entryName)
            {
                var entry = zip.GetEntry(entryName) ?? throw new LookalikeException($"'{nupkg}' has no {entryName}.");
                using var stream = entry.Open();
                return OnnxProto.ModelProto.Parser.ParseFrom(stream);
            }
            return (Read(NetworkEntry), Read(PreprocessingEntry));
        }
        catch (Exception e) when (e is InvalidDataException or InvalidProtocolBufferException)
        {
            throw new LookalikeException($"'{nupkg}' is not a readable package with the ResNet18 model files: {e.Message}", e);
        }
    }
}
