using System.Globalization;
using System.Text.Json;
using Lookalike.Evaluation.Plots;
using Lookalike.IO;
using Lookalike.Training.Stages;
using Spectre.Console;

namespace Lookalike.Cli.Commands;

/// <summary>What <c>train --unfreeze conv5</c> prints and writes beside the model: the report, the epochs with their speed, the curves.</summary>
internal static class StageReport
{
    public static void Write(CliContext context, StageFineTuningOutcome outcome)
    {
        var result = outcome.Result;
        string folder = Path.GetDirectoryName(outcome.ModelPath)!;
        AtomicFile.WriteAllText(Path.Combine(folder, "report.txt"), result.Report.ToString());
        AtomicFile.Write(Path.Combine(folder, "report.json"), s => JsonSerializer.Serialize(s, new
        {
            model = outcome.ModelPath,
            head = outcome.HeadPath,
            card = outcome.CardPath,
            trainImages = outcome.TrainImages,
            validationImages = outcome.ValidationImages,
            copiedImages = outcome.CopiedImages,
            bestEpoch = result.BestEpoch,
            stoppedEarly = result.StoppedEarly,
            report = result.Report,
            warmup = result.Warmup.History,
            history = result.History,
        }, ReportJson.Options));
        int warm = result.Warmup.History.Count;
        Charts.Lines(Path.Combine(folder, "loss.png"), "loss per epoch (head alone, then stage and head)", "epoch", "loss",
            [("train", [.. result.Warmup.History.Select(h => ((double)h.Epoch, h.TrainLoss)), .. result.History.Select(h => ((double)(warm + h.Epoch), h.TrainLoss))]),
             ("validation", [.. result.Warmup.History.Select(h => ((double)h.Epoch, h.ValidationLoss)), .. result.History.Select(h => ((double)(warm + h.Epoch), h.ValidationLoss))])]);
        if (result.Head.Loss == Training.Heads.HeadLoss.Softmax)
        {
            Charts.Lines(Path.Combine(folder, "accuracy.png"), "accuracy per epoch (head alone, then stage and head)", "epoch", "accuracy",
                [("train", [.. result.Warmup.History.Select(h => ((double)h.Epoch, h.TrainAccuracy)), .. result.History.Select(h => ((double)(warm + h.Epoch), h.TrainAccuracy))]),
                 ("validation", [.. result.Warmup.History.Select(h => ((double)h.Epoch, h.ValidationAccuracy)), .. result.History.Select(h => ((double)(warm + h.Epoch), h.ValidationAccuracy))])]);
        }
        var writer = context.Console.Profile.Out.Writer;
        writer.WriteLine(result.Report.ToString());
        var c = CultureInfo.InvariantCulture;
        foreach (var epoch in result.History)
        {
            writer.WriteLine(string.Create(c, $"epoch {epoch.Epoch}: loss {epoch.TrainLoss:F4}, val loss {epoch.ValidationLoss:F4}, val acc {epoch.ValidationAccuracy:F3}, " +
                $"{epoch.ImagesPerSecond:F1} images/s, {epoch.GflopsPerSecond:F1} GFLOP/s, {epoch.Seconds:F0} s"));
        }
        string use = outcome.HeadEmbedded
            ? string.Create(c, $"index with --model {Markup.Escape(outcome.ModelPath)} (the head's {result.Head.EmbeddingWidth}-d embedding; the head is in the model)")
            : $"index with --model {Markup.Escape(outcome.ModelPath)} (features of the new stage), adding --head {Markup.Escape(outcome.HeadPath)} for the head's embedding";
        context.Console.MarkupLine(string.Create(c,
            $"Head alone: {warm} epochs; stage and head: best epoch {result.BestEpoch} of {result.History.Count}{(result.StoppedEarly ? " (stopped early; best weights restored)" : "")}. " +
            $"Saved [bold]{Markup.Escape(outcome.ModelPath)}[/]: {use}."));
    }
}
