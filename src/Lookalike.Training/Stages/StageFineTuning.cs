using System.Diagnostics;
using System.Text.Json;
using Lookalike.Errors;
using Lookalike.IO;
using Lookalike.Onnx;
using Lookalike.Onnx.Imaging;
using Lookalike.Onnx.Models;
using Lookalike.Onnx.Stages;
using Lookalike.Progress;
using Lookalike.Training.Heads;

namespace Lookalike.Training.Stages;

/// <summary>What <c>lookalike train --unfreeze conv5</c> is asked.</summary>
/// <param name="ModelPath">The parent backbone (ONNX).</param>
/// <param name="Database">Labelled training images (class/image).</param>
/// <param name="Validation">Labelled validation images; null holds out a stratified 10 % of <paramref name="Database"/>.</param>
/// <param name="OutDirectory">Where model.onnx, head.json and the model card go.</param>
/// <param name="CacheDirectory">Where the trunk and its maps are cached.</param>
/// <param name="Training">The schedule.</param>
/// <param name="Device">Where the trunk runs.</param>
/// <param name="EmbedHead">Whether model.onnx ends with the head's embedding (standardisation, dense layers, L2 normalisation) instead of the pooled features.</param>
/// <param name="Augmentations">Altered copies of the training images (flip, crop) whose maps are cached too and trained on (<see cref="StageCopies"/>).</param>
public sealed record StageFineTuningRequest(string ModelPath, string Database, string? Validation, string OutDirectory, string CacheDirectory,
    StageTrainingOptions Training, ExecutionDevice Device, bool EmbedHead = false, IReadOnlyList<ImageAugmentation>? Augmentations = null);

/// <summary>What was trained and written.</summary>
/// <param name="Result">The training.</param>
/// <param name="ModelPath">The fine-tuned backbone (index with <c>--model</c>).</param>
/// <param name="HeadPath">The head trained with it (index with <c>--head</c> for its embedding).</param>
/// <param name="CardPath">The model card.</param>
/// <param name="TrainImages">Training images used.</param>
/// <param name="ValidationImages">Validation images used.</param>
/// <param name="TrunkPath">The parent up to the stage, whose maps were cached.</param>
/// <param name="HeadEmbedded">Whether <paramref name="ModelPath"/> ends with the head's embedding (<see cref="StageFineTuningRequest.EmbedHead"/>).</param>
/// <param name="CopiedImages">Altered copies of training images trained on, all augmentations together.</param>
public sealed record StageFineTuningOutcome(StageTrainingResult Result, string ModelPath, string HeadPath, string CardPath, int TrainImages,
    int ValidationImages, string TrunkPath, bool HeadEmbedded, int CopiedImages);

/// <summary>
/// The whole fine-tuning of a backbone's last stage: read the stage from the parent model, cut the trunk
/// before it (cached by the parent's hash), compute the training images' maps once (cached by content),
/// train stage and head, and write the backbone with the new stage, its head and a model card.
/// </summary>
public static class StageFineTuning
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Runs <paramref name="request"/>.</summary>
    public static async Task<StageFineTuningOutcome> RunAsync(StageFineTuningRequest request, IProgress<ProgressUpdate>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var parent = ResNetStage.Read(request.ModelPath);
        string parentSha = ModelLocator.HashCache.Sha256Of(request.ModelPath);
        string trunkPath = Path.Combine(request.CacheDirectory, "stage-trunks", $"{parentSha[..16]}.onnx");
        if (!File.Exists(trunkPath)) StageModels.WriteTrunk(parent, trunkPath);
        var shape = StageModels.ReadMapShape(trunkPath);
        var feed = OnnxFeatureExtractorOptions.ForModel(request.ModelPath);
        // An alteration (augmentation) is part of the trunk's preprocessing, so the maps of altered copies have their own cache.
        OnnxFeatureExtractor Trunk(ImageAugmentation augmentation) => new((feed with
        {
            ModelPath = trunkPath,
            ModelId = $"{feed.ModelId}-trunk",
            OutputName = StageModels.MapsOutput,
            Loader = feed.Loader with { Augmentation = augmentation },
        }).OnDevice(request.Device));
        using var trunk = Trunk(ImageAugmentation.None);
        using var cache = StageMapCache.Open(request.CacheDirectory, trunk, shape);
        var train = await StageExamples.FromFolderAsync(request.Database, cache, trunk, progress, cancellationToken);
        StageExamples validation;
        if (request.Validation is { } v) validation = await StageExamples.FromFolderAsync(v, cache, trunk, progress, cancellationToken);
        else (train, validation) = train.SplitStratified(0.1, request.Training.Head.Seed);

        var augmentations = request.Augmentations ?? [];
        var opened = new List<IDisposable>();
        var copies = new List<StageCopies>();
        StageTrainingResult result;
        try
        {
            foreach (var augmentation in augmentations.Where(a => a != ImageAugmentation.None).Distinct())
            {
                var altered = Trunk(augmentation);
                opened.Add(altered);
                var copyCache = StageMapCache.Open(request.CacheDirectory, altered, shape);
                opened.Add(copyCache);
                string name = augmentation.ToString().ToLowerInvariant();
                copies.Add(new StageCopies(name, copyCache, await copyCache.FillAsync(train.Names, altered, RenamedProgress.Of(progress, $"Computing stage input maps ({name})"),
                    cancellationToken)));
            }
            result = await Task.Run(() => StageTrainer.Train(parent, cache, train, validation, request.Training, copies, progress, cancellationToken),
                cancellationToken);
        }
        finally
        {
            foreach (var resource in Enumerable.Reverse(opened)) resource.Dispose();
        }

        string folder = Path.GetFullPath(request.OutDirectory);
        Directory.CreateDirectory(folder);
        string modelPath = Path.Combine(folder, "model.onnx"), headPath = Path.Combine(folder, "head.json"), cardPath = Path.Combine(folder, "model.card.json");
        string run = JsonSerializer.Serialize(new
        {
            parent = request.ModelPath,
            parentSha256 = parentSha,
            database = request.Database,
            validation = validation.Source,
            trainImages = train.Count,
            validationImages = validation.Count,
            head = result.Head.Network.Describe(),
            warmupEpochs = result.Warmup.History.Count,
            jointEpochs = result.History.Count,
            bestEpoch = result.BestEpoch,
            backboneLearningRate = request.Training.BackboneLearningRate,
            learningRate = request.Training.Head.LearningRate,
            jointLearningRate = request.Training.JointHeadRate,
            batchNorms = request.Training.BatchNorms,
            validationAccuracy = result.Report.Accuracy,
            augmentations = copies.Select(c => new { c.Name, copies = c.Count }),
            embedding = request.EmbedHead ? $"layer {result.Head.EmbeddingLayer} of the head, {result.Head.EmbeddingWidth}-d, L2-normalised" : null,
        }, Json);
        StageModels.WriteFineTuned(parent, result.Stage.Folded(), modelPath, new Dictionary<string, string>
        {
            ["lookalike.parent"] = parentSha,
            ["lookalike.training"] = run,
        }, request.EmbedHead ? result.Head.EmbeddingWeights() : null);
        HeadFile.Save(result.Head, headPath);
        new ModelCard($"{Path.GetFileNameWithoutExtension(request.ModelPath)}-finetuned", $"{request.ModelPath} with its last stage fine-tuned by Lookalike" +
            (request.EmbedHead ? $", ending with its head's {result.Head.EmbeddingWidth}-d embedding" : ""),
            parentSha, FileHash.Sha256Of(modelPath), new FileInfo(modelPath).Length, feed.DescribePreprocessing(),
            "as the parent model", ["features"], "as the parent model's weights", DateTimeOffset.UtcNow, Math.Round(clock.Elapsed.TotalSeconds, 1),
            $"trained on {train.Count} images of {request.Database}{(copies.Count > 0 ? $" and {copies.Sum(c => c.Count)} altered copies ({string.Join(", ", copies.Select(c => c.Name))})" : "")}, early-stopped on {validation.Count} of {validation.Source}: {run}")
            .Write(cardPath);
        return new StageFineTuningOutcome(result, modelPath, headPath, cardPath, train.Count, validation.Count, trunkPath, request.EmbedHead,
            copies.Sum(c => c.Count));
    }
}
