namespace Lookalike.Cli.Tests;

/// <summary>
/// The test classes that fine-tune conv5 of the shared model: they share one stage-map cache in the data folder, which one
/// run at a time may hold, so they run one after the other.
/// </summary>
[CollectionDefinition(Name)]
public sealed class StageMapCacheUsers
{
    /// <summary>The collection's name.</summary>
    public const string Name = "stage map cache users";
}
