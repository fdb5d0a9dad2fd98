using System.Data.Common;
using System.Text.RegularExpressions;
using Lookalike.Errors;
using Npgsql;

namespace Lookalike.Storage.Postgres;

/// <summary>
/// Where a PostgreSQL collection lives: a server, a database and a collection name (one schema,
/// <c>lookalike_NAME</c>, per collection). Written as <c>postgres://user[:password]@host[:port]/db?collection=NAME</c>
/// or as an Npgsql connection string with an extra <c>Collection=NAME</c> key; the name defaults to <c>default</c>.
/// </summary>
public sealed partial record PostgresLocation
{
    private const string DefaultCollection = "default";

    private PostgresLocation(NpgsqlConnectionStringBuilder connection, string collection)
    {
        connection.ApplicationName ??= "lookalike";
        connection.Enlist = false;
        if (connection.CommandTimeout == 30) connection.CommandTimeout = 600;
        ConnectionString = connection.ConnectionString;
        Collection = collection;
        Display = $"postgres://{connection.Username}@{connection.Host}:{connection.Port}/{connection.Database}?collection={collection}";
    }

    /// <summary>The Npgsql connection string (without the collection key).</summary>
    public string ConnectionString { get; }

    /// <summary>The collection's name.</summary>
    public string Collection { get; }

    /// <summary>The schema its tables live in.</summary>
    public string Schema => "lookalike_" + Collection;

    /// <summary>The channel its commits are announced on (NOTIFY).</summary>
    public string Channel => "lookalike_" + Collection;

    /// <summary>How it is shown to people: no password.</summary>
    public string Display { get; }

    /// <inheritdoc/>
    public override string ToString() => Display;

    /// <summary>Whether <paramref name="location"/> names a PostgreSQL database rather than a folder.</summary>
    public static bool IsPostgres(string location) =>
        location.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
        || location.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
        || location.Contains("Host=", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads a location.</summary>
    /// <exception cref="LookalikeException">for one that does not parse, or a collection name that is not a plain identifier.</exception>
    public static PostgresLocation Parse(string location)
    {
        try
        {
            return location.Contains("://", StringComparison.Ordinal) ? FromUrl(location) : FromConnectionString(location);
        }
        catch (Exception e) when (e is ArgumentException or UriFormatException or FormatException or KeyNotFoundException)
        {
            throw new LookalikeException(
                $"'{Redacted(location)}' is not a PostgreSQL location ({e.Message}). Write postgres://user@host:port/db?collection=NAME " +
                "or an Npgsql connection string such as \"Host=localhost;Username=me;Database=images;Collection=NAME\".", e);
        }
    }

    private static PostgresLocation FromUrl(string location)
    {
        var uri = new Uri(location);
        var builder = new NpgsqlConnectionStringBuilder { Host = uri.Host, Port = uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port };
        if (uri.UserInfo.Length > 0)
        {
            string[] parts = uri.UserInfo.Split(':', 2);
            builder.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2) builder.Password = Uri.UnescapeDataString(parts[1]);
        }
        string database = Uri.UnescapeDataString(uri.AbsolutePath.Trim('/'));
        if (database.Length > 0) builder.Database = database;
        string collection = DefaultCollection;
        foreach (string pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] kv = pair.Split('=', 2);
            string key = Uri.UnescapeDataString(kv[0]), value = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : "";
            if (key.Equals("collection", StringComparison.OrdinalIgnoreCase)) collection = value;
            else builder[key] = value;
        }
        return new PostgresLocation(builder, CheckName(collection));
    }

    private static PostgresLocation FromConnectionString(string location)
    {
        var generic = new DbConnectionStringBuilder { ConnectionString = location };
        string collection = generic.TryGetValue("Collection", out object? value) ? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "" : DefaultCollection;
        generic.Remove("Collection");
        return new PostgresLocation(new NpgsqlConnectionStringBuilder(generic.ConnectionString), CheckName(collection));
    }

    private static string CheckName(string name) => NamePattern().IsMatch(name)
        ? name
        : throw new ArgumentException($"the collection name '{name}' must be 1 to 40 lower-case letters, digits or underscores, starting with a letter");

    /// <summary>The location with any password replaced, for messages.</summary>
    private static string Redacted(string location) => PasswordPattern().Replace(location, "$1***");

    [GeneratedRegex("^[a-z][a-z0-9_]{0,39}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"((?:Password|Pwd)\s*=\s*|://[^:/@]*:)[^;@]*", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordPattern();
}
