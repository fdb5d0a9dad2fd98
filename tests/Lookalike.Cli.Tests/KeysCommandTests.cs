using System.Text.Json;
using Lookalike.Access;
using Lookalike.Tests.Common;

namespace Lookalike.Cli.Tests;

/// <summary><c>lookalike keys create|list|revoke</c> over a real collection.</summary>
public sealed class KeysCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    [SharedDataFact]
    public async Task A_key_is_printed_once_stored_as_a_hash_listed_without_its_secret_and_revoked_by_name()
    {
        string images = _temp.Combine("images"), collection = _temp.Combine("collection");
        Directory.CreateDirectory(images);
        File.Copy(TestData.Photo("rocket.jpg"), Path.Combine(images, "rocket.jpg"));
        Assert.Equal(0, (await CliRunner.RunAsync("index", images, "--collection", collection, "--model", TestData.ModelPath)).ExitCode);

        var created = await CliRunner.RunAsync("keys", "create", "--scope", "write", "--name", "uploader", "--collection", collection);
        Assert.Equal(0, created.ExitCode);
        string key = created.Output.Trim();
        Assert.Matches("^lk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$", key);
        Assert.Contains("stored as a hash", created.Error);
        string file = Path.Combine(collection, ApiKeyStore.FileName);
        Assert.DoesNotContain(key[16..], await File.ReadAllTextAsync(file));
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        var store = new ApiKeyStore(collection);
        Assert.Equal(ApiKeyScope.Write, store.Verify(key)?.Scope);

        var duplicate = await CliRunner.RunAsync("keys", "create", "--name", "uploader", "--collection", collection);
        Assert.Equal(1, duplicate.ExitCode);
        Assert.Contains("exists already", duplicate.Error);
        Assert.Equal(0, (await CliRunner.RunAsync("keys", "create", "--collection", collection)).ExitCode);

        var listed = await CliRunner.RunAsync("keys", "list", "--json", "--collection", collection);
        Assert.DoesNotContain(key[16..], listed.Output);
        var rows = JsonDocument.Parse(listed.Output).RootElement.EnumerateArray().ToList();
        Assert.Equal(["write", "read"], rows.Select(r => r.GetProperty("scope").GetString()));
        Assert.Equal(key[3..15], rows[0].GetProperty("id").GetString());

        Assert.Equal(0, (await CliRunner.RunAsync("keys", "revoke", "uploader", "--collection", collection)).ExitCode);
        Assert.Null(store.Verify(key));
        var again = await CliRunner.RunAsync("keys", "revoke", "uploader", "--collection", collection);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("No valid key", again.Error);
        Assert.False(JsonDocument.Parse((await CliRunner.RunAsync("keys", "list", "--json", "--collection", collection)).Output).RootElement[0].GetProperty("valid").GetBoolean());
    }

    [Fact]
    public async Task Keys_for_a_folder_without_a_collection_are_refused_and_a_bad_scope_is_a_usage_error()
    {
        var refused = await CliRunner.RunAsync("keys", "create", "--collection", _temp.Combine("nothing"));
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("holds no collection", refused.Error);
        Assert.False(Directory.Exists(_temp.Combine("nothing")));
        Assert.Equal(2, (await CliRunner.RunAsync("keys", "create", "--scope", "admin", "--collection", _temp.Combine("nothing"))).ExitCode);
    }

    public void Dispose() => _temp.Dispose();
}
