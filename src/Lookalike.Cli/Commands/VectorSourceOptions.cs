using System.CommandLine;
using Lookalike.Evaluation.Datasets;
using Lookalike.Features;

namespace Lookalike.Cli.Commands;

/// <summary>One set of vectors for <c>stats</c> and <c>tune</c>: <c>--db</c>, else the collection (<c>--collection</c> or the default).</summary>
internal sealed class VectorSourceOptions
{
    private readonly Option<string?> _database;
    private readonly Option<string> _collection = CommonOptions.Collection();
    private readonly Option<string?> _model = CommonOptions.Model();

    public VectorSourceOptions(string purpose) => _database = new Option<string?>("--db")
    {
        Description = $"{purpose}: a collection folder (default: the default collection), image folder (class/image) or feature file.",
    };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_database);
        command.Options.Add(_model);
        command.Options.Add(_collection);
    }

    /// <summary>The dataset named on the command line.</summary>
    public string Source(ParseResult parse) => parse.GetValue(_database) ?? parse.GetValue(_collection)!;

    /// <summary>Loads it (image folders are featurised once and cached).</summary>
    public Task<LabeledVectors> LoadAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken) =>
        EvaluationInputs.LoadAsync(context, Source(parse), parse.GetValue(_model), cancellationToken);
}
