using System.Net;
using System.Text.Json;
using Lookalike.Access;
using Lookalike.Tests.Common;

namespace Lookalike.Web.Tests;

/// <summary>The OpenAPI document passes Redocly's recommended rules, and a client Kiota generates from it works against a real server.</summary>
[Collection(WebCollection.Name)]
public sealed class ContractTests(SearchAppFactory app)
{
    [SharedDataFact]
    public async Task The_document_declares_the_key_schemes_the_image_responses_and_the_tags()
    {
        using var client = app.CreateClient();
        var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json")).RootElement;
        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("X-Api-Key", schemes.GetProperty("ApiKey").GetProperty("name").GetString());
        Assert.Equal("bearer", schemes.GetProperty("Bearer").GetProperty("scheme").GetString());
        var paths = document.GetProperty("paths");
        var upload = paths.GetProperty("/api/images").GetProperty("post");
        Assert.True(upload.GetProperty("responses").TryGetProperty("403", out _));
        Assert.True(upload.GetProperty("responses").TryGetProperty("429", out _));
        Assert.NotEqual(0, upload.GetProperty("security").GetArrayLength());
        foreach (string route in new[] { "/api/images/{id}", "/api/images/{id}/thumbnail" })
        {
            var ok = paths.GetProperty(route).GetProperty("get").GetProperty("responses").GetProperty("200");
            Assert.True(ok.GetProperty("content").TryGetProperty("image/jpeg", out _), route);
        }
        Assert.All(document.GetProperty("tags").EnumerateArray(), t => Assert.False(string.IsNullOrWhiteSpace(t.GetProperty("description").GetString())));
        Assert.False(document.GetProperty("servers")[0].GetProperty("url").GetString()!.EndsWith('/'));
        Assert.Equal("MIT", document.GetProperty("info").GetProperty("license").GetProperty("identifier").GetString());
    }

    [RedoclyFact]
    public async Task The_document_passes_redocly_lint_with_the_recommended_rules()
    {
        using var client = app.CreateClient();
        string file = app.Temporary("openapi.json");
        await File.WriteAllTextAsync(file, await client.GetStringAsync("/openapi/v1.json"));
        var (exitCode, output) = ContractTools.Run(ContractTools.Redocly, ["lint", file, "--extends", "recommended", "--format", "stylish"],
            Path.GetDirectoryName(file)!, TimeSpan.FromMinutes(2));
        Assert.True(exitCode == 0, output);
        Assert.DoesNotContain("error", output.Replace("0 errors", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
    }

    [KiotaFact]
    public async Task A_generated_csharp_client_searches_by_upload_and_by_id_and_uploads_with_a_write_key()
    {
        string collection = app.Temporary($"client-{Guid.NewGuid():N}");
        ImageRouteTests.CopyFolder(app.Collection, collection);
        string readKey = TestKeys.Create(collection, ApiKeyScope.Read), writeKey = TestKeys.Create(collection, ApiKeyScope.Write);
        string cert = app.Temporary("client-tls.crt"), key = app.Temporary("client-tls.key");
        var certificate = LiveServer.WriteCertificate(cert, key);
        await using var server = await LiveServer.StartAsync($"https://127.0.0.1:{LiveServer.FreePort()}", true,
            $"Lookalike:Collection={collection}", $"Lookalike:ThumbnailFolder={app.Thumbnails}", "Lookalike:AllowUploadsToCollection=true",
            "Lookalike:PublicRead=false", $"Lookalike:HttpsCertificate={cert}", $"Lookalike:HttpsKey={key}");
        using var http = LiveServer.TrustingClient(certificate);

        string project = app.Temporary($"generated-client-{Guid.NewGuid():N}");
        Directory.CreateDirectory(project);
        string document = Path.Combine(project, "openapi.json");
        await File.WriteAllTextAsync(document, await http.GetStringAsync($"{server.Url}/openapi/v1.json"));
        var generated = ContractTools.Run("dotnet", ["tool", "run", "kiota", "generate", "-l", "CSharp", "-d", document, "-o", Path.Combine(project, "Client"),
            "-n", "Lookalike.Client", "-c", "LookalikeClient", "--log-level", "Warning"], TestData.RepositoryRoot, TimeSpan.FromMinutes(3));
        Assert.True(generated.ExitCode == 0, generated.Output);
        string source = Path.Combine(AppContext.BaseDirectory, "GeneratedClient");
        File.Copy(Path.Combine(source, "Program.cs"), Path.Combine(project, "Program.cs"));
        File.Copy(Path.Combine(source, "GeneratedClient.csproj.template"), Path.Combine(project, "GeneratedClient.csproj"));
        var built = ContractTools.Run("dotnet", ["build", "-c", "Release", "-o", Path.Combine(project, "out")], project, TimeSpan.FromMinutes(5));
        Assert.True(built.ExitCode == 0, built.Output);

        string upload = app.Temporary("client-upload.jpg");
        await File.WriteAllBytesAsync(upload, ImageRouteTests.FlippedJpeg(TestData.Photo("coffee.png")));
        var ran = ContractTools.Run("dotnet", [Path.Combine(project, "out", "GeneratedClient.dll"), server.Url, certificate.Thumbprint, readKey, writeKey,
            TestData.Photo("rocket.jpg"), upload], project, TimeSpan.FromMinutes(2));
        Assert.True(ran.ExitCode == 0, ran.Output);
        var lines = ran.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToDictionary(l => l.Split(' ')[0], l => l.Split(' ')[1..]);
        Assert.Equal(["rocket.jpg", "3"], lines["upload-top"]);
        Assert.Equal(lines["by-id-top"][1], lines["by-id-top"][0]);
        Assert.Equal("2", lines["by-id-top"][2]);
        Assert.Equal(["refused", "403"], lines["read-upload"][..2]);
        Assert.Equal("True", lines["write-upload"][0]);
        Assert.Equal([lines["write-upload"][1], "client"], lines["found-upload"]);
        using var check = LiveServer.TrustingClient(certificate);
        Assert.Equal(HttpStatusCode.Unauthorized, (await check.GetAsync($"{server.Url}/api/collection")).StatusCode);
    }
}
