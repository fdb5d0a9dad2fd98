using System.CommandLine;
using Lookalike.Collections;

namespace Lookalike.Cli.Commands;

/// <summary>The filters and cut-offs of a search: which images may come back, and how similar they must be.</summary>
internal sealed class FilterOptions
{
    private readonly Option<string[]> _labels = new("--label")
    {
        Description = "Only images with this label (repeat for several).",
        AllowMultipleArgumentsPerToken = false,
    };

    private readonly Option<string?> _pathPrefix = new("--path-prefix") { Description = "Only images whose path starts with this (made absolute)." };

    private readonly Option<string?> _addedAfter = new("--added-after") { Description = "Only images added at or after this date (ISO 8601, UTC unless an offset is given)." };

    private readonly Option<string?> _addedBefore = new("--added-before") { Description = "Only images added before this date (ISO 8601)." };

    private readonly Option<float?> _minSimilarity = new("--min-similarity") { Description = "Drop results less cosine similar than this (-1..1)." };

    private readonly Option<float?> _maxDistance = new("--max-distance") { Description = "Drop results farther than this under the search's metric." };

    /// <summary>The options, to add to a command.</summary>
    public IEnumerable<Option> All => [_labels, _pathPrefix, _addedAfter, _addedBefore, _minSimilarity, _maxDistance];

    /// <summary><paramref name="search"/> with the filter and cut-offs given on the command line.</summary>
    /// <exception cref="Errors.LookalikeException">for a date that does not parse or a filter that cannot match.</exception>
    public SearchOptions ApplyTo(SearchOptions search, ParseResult parse)
    {
        var filter = new ImageFilter
        {
            Labels = parse.GetValue(_labels) is { Length: > 0 } labels ? labels : null,
            PathPrefix = parse.GetValue(_pathPrefix) is { } prefix ? Path.GetFullPath(prefix) : null,
            AddedAfter = parse.GetValue(_addedAfter) is { } after ? ImageFilter.ParseInstant(after, "--added-after") : null,
            AddedBefore = parse.GetValue(_addedBefore) is { } before ? ImageFilter.ParseInstant(before, "--added-before") : null,
        };
        filter.Validate();
        return search with
        {
            Filter = filter.IsEmpty ? null : filter,
            MinSimilarity = parse.GetValue(_minSimilarity),
            MaxDistance = parse.GetValue(_maxDistance),
        };
    }
}
