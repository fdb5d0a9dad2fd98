using System.CommandLine;
using Lookalike.Indexes;
using Lookalike.Onnx.Models;

namespace Lookalike.Cli.Commands;

/// <summary>Options several verbs share; each verb gets its own instances.</summary>
internal static class CommonOptions
{
    public static Option<string> Collection() => new("--collection", "-c")
    {
        Description = "Collection folder (default: $LOOKALIKE_COLLECTION, else <data dir>/collections/default).",
        DefaultValueFactory = _ => DefaultCollection,
    };

    public static Option<string?> Model() => new("--model", "-m")
    {
        Description = $"Backbone ({Backbones.Names}: fetch it first with 'lookalike model fetch NAME') or ONNX model file " +
            "(default: the collection's model, $LOOKALIKE_MODEL, or <data dir>/models/resnet50.onnx).",
    };

    public static Option<string?> Device()
    {
        var option = new Option<string?>("--device") { Description = "Where the network runs: cpu (default), cuda or cuda:N (needs the GPU build, see the README)." };
        option.Validators.Add(r =>
        {
            try
            {
                Onnx.ExecutionDevice.Parse(r.GetValueOrDefault<string?>());
            }
            catch (Errors.LookalikeException e)
            {
                r.AddError(e.Message);
            }
        });
        return option;
    }

    public static Option<string?> Metric()
    {
        var option = new Option<string?>("--metric") { Description = "Distance: l2 or cosine (default: the collection's)." };
        option.AcceptOnlyFromAmong("l2", "cosine");
        return option;
    }

    public static Option<long> MaxPixels()
    {
        var option = new Option<long>("--max-pixels")
        {
            Description = "Largest image accepted, in pixels, read from its header before decoding (default 50,000,000).",
            DefaultValueFactory = _ => Onnx.Imaging.ImageLoaderOptions.DefaultMaxPixels,
        };
        option.Validators.Add(r => { if (r.GetValueOrDefault<long>() < 1) r.AddError("--max-pixels must be at least 1."); });
        return option;
    }

    /// <summary>Indexes to build and save with a collection (repeatable).</summary>
    public static Option<string[]> PersistedIndexes() => new("--index")
    {
        Description = "Index spec to build after indexing and save with the collection, so searches load it instead of training " +
            "(repeat for several; the first is a new collection's default), e.g. \"Ivf(lists=256,nprobe=8)\". " +
            $"Without one, a collection that has no saved index gets {HnswOptions.DefaultSpec}.",
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>The number of results or cut-off (<c>-k</c>), one range for every verb.</summary>
    public static Option<int> TopK(string description, params string[] aliases)
    {
        var option = new Option<int>("-k", aliases) { Description = $"{description} (1..{Collections.SearchOptions.MaxK}).", DefaultValueFactory = _ => 10 };
        option.Validators.Add(r =>
        {
            int value = r.GetValueOrDefault<int>();
            if (value is < 1 or > Collections.SearchOptions.MaxK) r.AddError($"-k must be between 1 and {Collections.SearchOptions.MaxK} (was {value}).");
        });
        return option;
    }

    public static Option<bool> Json() => new("--json") { Description = "Print JSON instead of a table." };

    public static Option<bool> BatchStatistics() => new("--batch-statistics")
    {
        Description = "The last stage's batch norms normalise by each joint step's batch (running statistics following the batches) instead of keeping frozen running statistics; the export is the same kind of model.",
    };

    public static DistanceMetric? ParseMetric(string? text) => text is null ? null : DistanceMetrics.Parse(text);

    private static string DefaultCollection =>
        Environment.GetEnvironmentVariable("LOOKALIKE_COLLECTION") is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : Path.Combine(ModelLocator.DataDirectory, "collections", "default");
}
