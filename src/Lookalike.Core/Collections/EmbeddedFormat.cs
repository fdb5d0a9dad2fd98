using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lookalike.Collections;

/// <summary>
/// <c>manifest.json</c>: what the collection is (model, metric, default index, saved indexes),
/// replaced atomically when that changes. In format 2 the committed <see cref="Rows"/> and
/// <see cref="Generation"/> live in <c>metadata.db</c> (the values here are those of the last
/// manifest write and are not read back); format 1 kept them here with <see cref="MetadataFile"/>,
/// a whole-JSON metadata generation, and is migrated on open.
/// </summary>
internal sealed record EmbeddedManifest(
    int FormatVersion,
    ModelReference Model,
    string Metric,
    string Index,
    long Rows,
    long Generation,
    string? MetadataFile,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<PersistedIndex>? Indexes = null);

/// <summary>Every row's record, deleted ids, and known source files (a format-1 metadata file, or what metadata.db holds).</summary>
internal sealed record EmbeddedMetadata(List<ImageRecord> Images, List<long> Deleted, Dictionary<string, FileState> Files);

/// <summary>File names and JSON settings of the embedded collection folder.</summary>
internal static class EmbeddedFormat
{
    public const int Version = 2;
    public const int FirstVersion = 1;
    public const string ManifestFile = "manifest.json";
    public const string VectorsFile = "vectors.f32";
    public const string LockFile = "collection.lock";
    public const string IndexesFolder = "indexes";
    public const string IndexExtension = ".lkidx";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
