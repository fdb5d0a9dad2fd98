using Lookalike.Access;

namespace Lookalike.Web.Tests;

/// <summary>API keys for a collection the tests serve, made the way <c>lookalike keys create</c> makes them.</summary>
internal static class TestKeys
{
    /// <summary>A new key of <paramref name="scope"/> for <paramref name="collection"/>.</summary>
    public static string Create(string collection, ApiKeyScope scope) =>
        ApiKeyStore.ForCollection(collection, Onnx.Models.ModelLocator.DataDirectory)
            .Create($"{scope.Name()}-{Guid.NewGuid():N}", scope).Token.ToString();

    /// <summary>Sends a new key of <paramref name="scope"/> with every request of <paramref name="client"/>.</summary>
    public static HttpClient WithKey(this HttpClient client, string collection, ApiKeyScope scope)
    {
        client.DefaultRequestHeaders.Add("X-Api-Key", Create(collection, scope));
        return client;
    }
}
