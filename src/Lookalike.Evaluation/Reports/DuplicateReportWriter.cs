using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Lookalike.Duplicates;
using Lookalike.IO;

namespace Lookalike.Evaluation.Reports;

/// <summary>Writes a duplicate report as JSON, and as a page of thumbnails per group.</summary>
public static class DuplicateReportWriter
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>The report as JSON: the options, what it cost, and every group with its keeper first.</summary>
    public static string ToJson(DuplicateReport report) => JsonSerializer.Serialize(new
    {
        threshold = report.Options.Threshold,
        exactOnly = report.Options.ExactOnly,
        neighbours = report.Options.Neighbours,
        index = report.IndexSpec,
        images = report.Images,
        redundantFiles = report.Redundant,
        distancesComputed = report.Stats.DistancesComputed,
        elapsedSeconds = report.Elapsed.TotalSeconds,
        groups = report.Groups.Select(g => new { kind = g.Kind, keeper = g.Keeper.Path, members = g.Members.Select(MemberJson) }),
    }, Json);

    /// <summary>Reads back the groups of a report written by <see cref="ToJson"/> (kind and member paths).</summary>
    public static IReadOnlyList<(DuplicateKind Kind, IReadOnlyList<string> Paths)> ReadGroups(string json)
    {
        using var document = JsonDocument.Parse(json);
        return
        [
            .. document.RootElement.GetProperty("groups").EnumerateArray().Select(g => (
                Enum.Parse<DuplicateKind>(g.GetProperty("kind").GetString()!, ignoreCase: true),
                (IReadOnlyList<string>)[.. g.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("path").GetString()!)])),
        ];
    }

    /// <summary>
    /// Writes <c>index.html</c> into <paramref name="folder"/>: one row of thumbnails per group, the keeper marked, with
    /// sizes, pixel sizes and similarities. <paramref name="thumbnail"/> makes a member's JPEG preview (null when it cannot);
    /// previews are written beside the page under <c>thumbnails/</c>, one per content.
    /// </summary>
    public static string WriteHtml(DuplicateReport report, string folder, Func<DuplicateMember, byte[]?> thumbnail)
    {
        var c = CultureInfo.InvariantCulture;
        string thumbnails = Path.Combine(folder, "thumbnails");
        Directory.CreateDirectory(thumbnails);
        var html = new StringBuilder();
        html.AppendLine("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        html.AppendLine("<title>Lookalike duplicates</title><style>body{font-family:system-ui,sans-serif;margin:1rem auto;max-width:80rem;padding:0 1rem}" +
            "section{border-top:1px solid #ccc;padding:.5rem 0}.members{display:flex;flex-wrap:wrap;gap:.75rem}" +
            "figure{margin:0;width:11rem;font-size:.8rem;word-break:break-all}figure img{max-width:10rem;max-height:10rem;display:block}" +
            "figure.keeper{outline:3px solid #2a7;outline-offset:2px}.none{width:10rem;height:6rem;background:#eee;display:grid;place-items:center}</style></head><body>");
        html.AppendLine(c, $"<h1>Duplicates</h1><p>{report.Groups.Count} group(s) among {report.Images} images " +
            $"({report.Groups.Count(g => g.Kind == DuplicateKind.Exact)} of identical files, {report.Groups.Count(g => g.Kind == DuplicateKind.Near)} of near-duplicates " +
            $"at cosine similarity ≥ {report.Options.Threshold:0.###}{(report.IndexSpec is null ? "" : $", neighbours from {E(report.IndexSpec)}")}); " +
            $"{report.Redundant} file(s) besides the keepers. The suggested keeper is outlined.</p>");
        var written = new HashSet<string>(StringComparer.Ordinal);
        int number = 0;
        foreach (var group in report.Groups)
        {
            html.AppendLine(c, $"<section class=\"group\" data-kind=\"{group.Kind.ToString().ToLowerInvariant()}\"><h2>Group {++number}: " +
                $"{(group.Kind == DuplicateKind.Exact ? "identical files" : "near-duplicates")} ({group.Members.Count})</h2><div class=\"members\">");
            foreach (var member in group.Members)
            {
                string name = $"{member.Sha256}.jpg";
                if (written.Add(member.Sha256) && thumbnail(member) is { } jpeg) AtomicFile.Write(Path.Combine(thumbnails, name), s => s.Write(jpeg));
                string preview = File.Exists(Path.Combine(thumbnails, name))
                    ? $"<img src=\"thumbnails/{name}\" alt=\"{E(Path.GetFileName(member.Path))}\" loading=\"lazy\">"
                    : "<div class=\"none\">no preview</div>";
                string role = ReferenceEquals(member, group.Keeper) ? "keep" : string.Create(c, $"similarity {member.Similarity:F3}");
                html.AppendLine(c, $"<figure class=\"{(ReferenceEquals(member, group.Keeper) ? "keeper" : "copy")}\">{preview}<figcaption><b>{role}</b><br>" +
                    $"{E(member.Path)}<br>{member.Width}×{member.Height} px · {member.Bytes:N0} bytes{(member.Label is { } l ? $" · {E(l)}" : "")}</figcaption></figure>");
            }
            html.AppendLine("</div></section>");
        }
        html.AppendLine("</body></html>");
        string page = Path.Combine(folder, "index.html");
        AtomicFile.Write(page, s => s.Write(Encoding.UTF8.GetBytes(html.ToString())));
        return page;
    }

    private static object MemberJson(DuplicateMember m) => new
    {
        id = m.ImageId,
        path = m.Path,
        sha256 = m.Sha256,
        label = m.Label,
        bytes = m.Bytes,
        width = m.Width,
        height = m.Height,
        addedAt = m.AddedAt,
        similarity = m.Similarity,
    };

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
