using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Lookalike.Cli.Output;
using Lookalike.Collections;
using Lookalike.Errors;
using Lookalike.Features;
using Lookalike.Indexes;
using Lookalike.IO;
using Lookalike.Sessions;
using Spectre.Console;

namespace Lookalike.Cli.Commands;

/// <summary><c>lookalike search &lt;image&gt;</c>: the k most similar images of a collection.</summary>
internal static class SearchCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Command Create(CliContext context)
    {
        var image = new Argument<string>("image") { Description = "Query image file." };
        var collection = CommonOptions.Collection();
        var model = CommonOptions.Model();
        var device = CommonOptions.Device();
        var k = CommonOptions.TopK("Number of results", "--top");
        var metric = CommonOptions.Metric();
        var index = new Option<string?>("--index") { Description = "Index spec to search with, e.g. Flat or \"E2Lsh(tables=8,projections=4,width=0.6)\" (default: the collection's)." };
        var json = CommonOptions.Json();
        var crop = new Option<string?>("--crop") { Description = "Search with this region of the query only: x,y,width,height in pixels (after EXIF orientation)." };
        var filters = new FilterOptions();
        var command = new Command("search", "Find the images of a collection most similar to an image.")
        {
            image, collection, model, device, k, metric, index, json, crop,
        };
        foreach (var option in filters.All) command.Options.Add(option);
        command.SetAction(async (parse, cancellationToken) =>
        {
            ImageRegion? region = parse.GetValue(crop) is { } cropText ? ImageRegion.Parse(cropText, "--crop") : null;
            var options = filters.ApplyTo(new SearchOptions(parse.GetValue(k), CommonOptions.ParseMetric(parse.GetValue(metric)), parse.GetValue(index)), parse);
            string path = parse.GetValue(image)!;
            if (!File.Exists(path)) throw new LookalikeException($"Query image '{path}' does not exist.");
            string collectionFolder = parse.GetValue(collection)!;
            await using var session = await LookalikeSession.OpenAsync(context.Services,
                new SessionRequest
                {
                    Location = collectionFolder,
                    ModelPath = parse.GetValue(model),
                    Device = Onnx.ExecutionDevice.Parse(parse.GetValue(device)),
                }, cancellationToken);
            byte[] bytes;
            try
            {
                bytes = await BoundedFileReader.ReadAsync(path, cancellationToken);
            }
            catch (UnreadableFileException e)
            {
                throw new LookalikeException($"Query image '{path}' cannot be read: {e.Reason}", e);
            }
            var response = await session.Searcher.SearchByImageAsync(new ImageInput(path, bytes) { Region = region }, options, cancellationToken);
            if (parse.GetValue(json)) PrintJson(context, path, response);
            else PrintTable(context, response);
            return 0;
        });
        return command;
    }

    private static void PrintTable(CliContext context, SearchResponse response)
    {
        var table = new CliTable("rank", $"{response.Metric.Name()} distance", "similarity", "path", "label");
        foreach (var hit in response.Hits)
        {
            table.AddRow(hit.Rank.ToString(CultureInfo.InvariantCulture), hit.Distance.ToString("F4", CultureInfo.InvariantCulture),
                hit.Similarity.ToString("F4", CultureInfo.InvariantCulture), hit.Image.Path, hit.Image.Label ?? "");
        }
        table.WriteTo(context.Console);
        context.Console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"{response.IndexSpec}: {response.Stats.CandidatesVisited} candidates visited, {response.Stats.DistancesComputed} distances computed, {response.Elapsed.TotalMilliseconds:F1} ms.{Filtering(response)}")));
    }

    /// <summary>" 40 filtered out, 2 below the cut-off." (nothing when neither happened), and how the filter was limited.</summary>
    private static string Filtering(SearchResponse response)
    {
        var parts = new List<string>();
        if (response.FilteredOut > 0) parts.Add($"{response.FilteredOut} candidates filtered out");
        if (response.BelowCutOff > 0) parts.Add($"{response.BelowCutOff} results below the cut-off");
        if (response.FilterLimit is { } limit) parts.Add($"filter {limit}");
        return parts.Count == 0 ? "" : $" {string.Join("; ", parts)}.";
    }

    private static void PrintJson(CliContext context, string query, SearchResponse response)
    {
        var document = new
        {
            query = Path.GetFullPath(query),
            metric = response.Metric.Name(),
            index = response.IndexSpec,
            stats = new
            {
                visited = response.Stats.CandidatesVisited,
                distances = response.Stats.DistancesComputed,
                elapsedMs = response.Elapsed.TotalMilliseconds,
                filteredOut = response.FilteredOut,
                belowCutOff = response.BelowCutOff,
                filterLimit = response.FilterLimit,
            },
            results = response.Hits.Select(h => new
            {
                rank = h.Rank,
                id = h.Image.Id,
                distance = h.Distance,
                similarity = h.Similarity,
                path = h.Image.Path,
                label = h.Image.Label,
            }),
        };
        context.Console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(document, Json));
    }
}
