using Lookalike.Errors;
using Npgsql;

namespace Lookalike.Storage.Postgres;

/// <summary>
/// In-database search with the pgvector extension (<c>halfvec</c> columns with an HNSW index: pgvector
/// indexes <c>vector</c> only up to 2,000 dimensions), asked for with the index spec <c>PgVector</c>.
/// </summary>
/// <remarks>
/// Only its availability is checked: the search itself is not built, since no pgvector server was at
/// hand to test it against (Debian 12 has no package); searches use the in-memory indexes, which
/// answer the same queries.
/// </remarks>
internal static class PgVector
{
    /// <summary>The index type name that asks for in-database search.</summary>
    public const string TypeName = "PgVector";

    /// <summary>Whether <paramref name="spec"/> asks for pgvector.</summary>
    public static bool IsSpec(string spec) => spec.StartsWith(TypeName, StringComparison.OrdinalIgnoreCase)
        && (spec.Length == TypeName.Length || spec[TypeName.Length] is '(' or ',');

    /// <summary>The error that says why in-database search cannot answer on this server.</summary>
    public static LookalikeException Unavailable(NpgsqlConnection connection, PostgresLocation location)
    {
        using var command = new NpgsqlCommand("SELECT default_version FROM pg_available_extensions WHERE name = 'vector'", connection);
        return command.ExecuteScalar() is string version
            ? new LookalikeException($"{location} has pgvector {version}, but Lookalike does not search in the database yet: use an in-memory index (Hnsw, Ivf, Flat).")
            : new LookalikeException($"In-database search (--index {TypeName}) needs the pgvector extension, which {location} does not have " +
                "(no 'vector' in pg_available_extensions; Debian 12 has no package for it). Use an in-memory index (Hnsw, Ivf, Flat).");
    }
}
