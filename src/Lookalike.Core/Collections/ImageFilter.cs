using System.Globalization;
using Lookalike.Errors;

namespace Lookalike.Collections;

/// <summary>
/// Which images a search may return, by what the collection records of them: labels, a path prefix, and when
/// they were added. Stores apply it inside the index walk (so k results come back whenever k matching images
/// exist); an empty filter allows every image.
/// </summary>
public sealed record ImageFilter
{
    /// <summary>Only images with one of these labels (any label when null).</summary>
    public IReadOnlyList<string>? Labels { get; init; }

    /// <summary>Only images whose path starts with this (ordinal comparison; any path when null).</summary>
    public string? PathPrefix { get; init; }

    /// <summary>Only images added at or after this instant.</summary>
    public DateTimeOffset? AddedAfter { get; init; }

    /// <summary>Only images added before this instant.</summary>
    public DateTimeOffset? AddedBefore { get; init; }

    /// <summary>Whether it allows every image.</summary>
    public bool IsEmpty => Labels is null && PathPrefix is null && AddedAfter is null && AddedBefore is null;

    /// <summary>Whether <paramref name="image"/> passes.</summary>
    public bool Matches(ImageRecord image) =>
        (Labels is null || (image.Label is { } label && Labels.Contains(label, StringComparer.Ordinal)))
        && (PathPrefix is null || image.Path.StartsWith(PathPrefix, StringComparison.Ordinal))
        && (AddedAfter is null || image.AddedAt >= AddedAfter)
        && (AddedBefore is null || image.AddedAt < AddedBefore);

    /// <summary>Throws unless the filter can match something.</summary>
    /// <exception cref="LookalikeException">for an empty label list, an empty label or prefix, or an empty time range.</exception>
    public void Validate()
    {
        if (Labels is { Count: 0 }) throw new LookalikeException("The label filter names no label.");
        if (Labels?.Any(string.IsNullOrEmpty) == true) throw new LookalikeException("A label in the filter is empty.");
        if (PathPrefix is { Length: 0 }) throw new LookalikeException("The path prefix of the filter is empty.");
        if (AddedAfter >= AddedBefore)
            throw new LookalikeException($"addedAfter ({AddedAfter:O}) must be before addedBefore ({AddedBefore:O}).");
    }

    /// <summary>Reads an instant given as an ISO 8601 date or date and time (UTC when no offset is given).</summary>
    /// <exception cref="LookalikeException">when <paramref name="text"/> is not one.</exception>
    public static DateTimeOffset ParseInstant(string text, string name) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var value)
            ? value
            : throw new LookalikeException($"{name} must be an ISO 8601 date or date and time, e.g. 2026-12-01 or 2026-12-01T08:00:00Z (was '{text}').");

    /// <summary>What it allows, e.g. "label cat or dog, path under /photos/2026".</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        if (Labels is not null) parts.Add($"label {string.Join(" or ", Labels)}");
        if (PathPrefix is not null) parts.Add($"path under {PathPrefix}");
        if (AddedAfter is { } after) parts.Add(string.Create(CultureInfo.InvariantCulture, $"added from {after:u}"));
        if (AddedBefore is { } before) parts.Add(string.Create(CultureInfo.InvariantCulture, $"added before {before:u}"));
        return parts.Count == 0 ? "every image" : string.Join(", ", parts);
    }
}
