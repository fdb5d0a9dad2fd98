using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lookalike.Collections;

/// <summary>
/// <c>manifest.json</c>: written last on every commit, so it always points at a consistent set of
/// files. <see cref="Rows"/> rows of <c>vectors.f32</c> are valid; bytes past them are leftovers
/// of an interrupted commit.
/// </summary>
internal sealed record EmbeddedManifest(
    int FormatVersion,
    ModelReference Model,
    string Metric,
    string Index,
    long Rows,
    long Generation,
    string MetadataFile,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>One metadata generation file: every row's record, deleted ids, and known source files.</summary>
internal sealed record EmbeddedMetadata(List<ImageRecord> Images, List<long> Deleted, Dictionary<string, FileState> Files);

/// <summary>File names and JSON settings of the embedded collection folder.</summary>
internal static class EmbeddedFormat
{
    public const int Version = 1;
    public const string ManifestFile = "manifest.json";
    public const string VectorsFile = "vectors.f32";
    public const string LockFile = "collection.lock";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static readonly JsonSerializerOptions CompactJson = new(Json) { WriteIndented = false };

    public static string MetadataFileName(long generation) => $"metadata-{generation:D6}.json";
}
