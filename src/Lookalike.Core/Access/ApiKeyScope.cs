namespace Lookalike.Access;

/// <summary>What an API key may do.</summary>
public enum ApiKeyScope
{
    /// <summary>Search and read images.</summary>
    Read,

    /// <summary>Everything a read key may, and add or remove images.</summary>
    Write,
}

/// <summary>Names of the scopes as the command line and the file write them.</summary>
public static class ApiKeyScopes
{
    /// <summary>The scope named <paramref name="name"/> (<c>read</c> or <c>write</c>).</summary>
    /// <exception cref="Errors.LookalikeException">for another name.</exception>
    public static ApiKeyScope Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "read" => ApiKeyScope.Read,
        "write" => ApiKeyScope.Write,
        _ => throw new Errors.LookalikeException($"Unknown key scope '{name}': use read or write."),
    };

    /// <summary>The scope's name.</summary>
    public static string Name(this ApiKeyScope scope) => scope == ApiKeyScope.Write ? "write" : "read";

    /// <summary>Whether a key of this scope may do what <paramref name="needed"/> allows.</summary>
    public static bool Allows(this ApiKeyScope scope, ApiKeyScope needed) => scope >= needed;
}
