using System.Globalization;
using System.Text.RegularExpressions;
using Lookalike.Errors;
using Lookalike.Training.Networks;

namespace Lookalike.Training.Heads;

/// <summary>
/// Parses a head such as <c>dropout(0.5),dense(256,relu),dropout(0.5),dense(128,relu),dense(64,relu)</c> into
/// layers; the output layer (dense to the number of classes, for the softmax loss) is added by the trainer.
/// </summary>
public static partial class HeadSpec
{
    /// <summary>Builds the layers of <paramref name="spec"/> for <paramref name="inputs"/> input features.</summary>
    /// <exception cref="LookalikeException">for an unknown or malformed layer.</exception>
    public static List<Layer> Build(string spec, int inputs, Random random)
    {
        var layers = new List<Layer>();
        int width = inputs;
        foreach (Match match in Part().Matches(spec))
        {
            string name = match.Groups["name"].Value.ToLowerInvariant();
            string[] args = match.Groups["args"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            switch (name)
            {
                case "dropout" when args.Length == 1 && double.TryParse(args[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double rate) && rate is >= 0 and < 1:
                    layers.Add(new DropoutLayer(width, rate, random));
                    break;
                case "dense" when args.Length is 1 or 2 && int.TryParse(args[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int units) && units > 0:
                    var activation = args.Length == 1 ? Activation.None : ParseActivation(args[1], spec);
                    layers.Add(new DenseLayer(width, units, activation, random, $"dense{layers.Count(l => l is DenseLayer) + 1}"));
                    width = units;
                    break;
                default:
                    throw new LookalikeException(
                        $"Head '{spec}': cannot read '{match.Value}'; layers are dropout(RATE in [0,1)) and dense(UNITS[,relu|tanh|linear]).");
            }
        }
        string rest = Part().Replace(spec, "").Replace(",", "", StringComparison.Ordinal).Trim();
        if (rest.Length > 0 || layers.Count == 0)
            throw new LookalikeException($"Head '{spec}' is malformed; write e.g. \"dropout(0.5),dense(256,relu),dense(64,relu)\".");
        return layers;
    }

    private static Activation ParseActivation(string text, string spec) => text.ToLowerInvariant() switch
    {
        "relu" => Activation.Relu,
        "tanh" => Activation.Tanh,
        "linear" or "none" => Activation.None,
        _ => throw new LookalikeException($"Head '{spec}': unknown activation '{text}' (relu, tanh, linear)."),
    };

    [GeneratedRegex(@"(?<name>[a-zA-Z]+)\s*\((?<args>[^)]*)\)")]
    private static partial Regex Part();
}
