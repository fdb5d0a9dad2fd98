using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lookalike.IO;

/// <summary>How reports are written as JSON: web casing, indented, NaN and ∞ allowed (a metric can be undefined).</summary>
public static class ReportJson
{
    /// <summary>The serializer options of every report.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
