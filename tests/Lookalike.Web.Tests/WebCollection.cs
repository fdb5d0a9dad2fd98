namespace Lookalike.Web.Tests;

/// <summary>The API test classes share one app and one featurised collection.</summary>
[CollectionDefinition(Name)]
public sealed class WebCollection : ICollectionFixture<SearchAppFactory>
{
    public const string Name = "web app";
}
