using Lookalike.Access;
using Lookalike.Errors;
using Lookalike.Tests.Common;

namespace Lookalike.Core.Tests.Access;

public sealed class ApiKeyStoreTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    [Fact]
    public void Keys_verify_until_revoked_and_another_store_on_the_file_sees_every_change()
    {
        var store = new ApiKeyStore(_temp.Path);
        var (reader, readToken) = store.Create("reader", ApiKeyScope.Read);
        var (_, writeToken) = store.Create("writer", ApiKeyScope.Write);
        var other = new ApiKeyStore(_temp.Path);
        Assert.Equal(reader, other.Verify(readToken.ToString()));
        Assert.Equal(ApiKeyScope.Write, other.Verify(writeToken.ToString())!.Scope);
        Assert.True(ApiKeyScope.Write.Allows(ApiKeyScope.Read));
        Assert.False(ApiKeyScope.Read.Allows(ApiKeyScope.Write));

        // The secret is what counts: the right id with another secret, or the secret under another id, is refused.
        Assert.Null(other.Verify(new ApiKeyToken(readToken.Id, writeToken.Secret).ToString()));
        Assert.Null(other.Verify(new ApiKeyToken(writeToken.Id, readToken.Secret).ToString()));
        Assert.Null(other.Verify(readToken.ToString().ToUpperInvariant()));
        Assert.Null(other.Verify(readToken.ToString() + "x"));
        Assert.Null(other.Verify(""));
        Assert.Null(other.Verify(null));

        store.Revoke("reader");
        Assert.Null(other.Verify(readToken.ToString()));
        Assert.NotNull(other.Verify(writeToken.ToString()));
        Assert.False(other.List()[0].Valid);
        Assert.Throws<LookalikeException>(() => store.Revoke(reader.Id));
        // A revoked key's name may be used again.
        Assert.NotNull(store.Create("reader", ApiKeyScope.Read).Key);
    }

    [Fact]
    public void Tokens_are_random_and_parse_only_in_their_own_shape()
    {
        var tokens = Enumerable.Range(0, 100).Select(_ => ApiKeyToken.Create().ToString()).ToHashSet();
        Assert.Equal(100, tokens.Count);
        string one = tokens.First();
        Assert.True(ApiKeyToken.TryParse(one, out var parsed));
        Assert.Equal(one, parsed.ToString());
        Assert.False(ApiKeyToken.TryParse("lk_XYZ" + one[6..], out _));
        Assert.False(ApiKeyToken.TryParse(one.Replace('_', '-'), out _));
    }

    [Fact]
    public void A_damaged_file_is_a_clear_error_and_a_missing_one_holds_no_keys()
    {
        var store = new ApiKeyStore(_temp.Path);
        Assert.Empty(store.List());
        Assert.False(store.AnyValid);
        File.WriteAllText(store.Path, "{ not json");
        Assert.Contains("is not a keys file", Assert.Throws<LookalikeException>(() => store.List()).Message);
        Assert.Throws<LookalikeException>(() => store.Create(" ", ApiKeyScope.Read));
    }

    public void Dispose() => _temp.Dispose();
}
