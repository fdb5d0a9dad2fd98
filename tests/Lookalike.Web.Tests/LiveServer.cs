using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Lookalike.Web.Hosting;
using Microsoft.AspNetCore.Builder;

namespace Lookalike.Web.Tests;

/// <summary>The real server on Kestrel at a free loopback port, for what an in-memory server cannot show (TLS, client addresses, readiness).</summary>
internal sealed class LiveServer : IAsyncDisposable
{
    private LiveServer(WebApplication app) => App = app;

    public WebApplication App { get; }

    public string Url => App.Urls.Single();

    /// <summary>Builds and starts a server with <paramref name="settings"/> (<c>Key=Value</c> without the leading dashes).</summary>
    public static async Task<LiveServer> StartAsync(string url, bool warmUp, params string[] settings)
    {
        var app = await SearchServer.BuildAsync([$"--urls={url}", .. settings.Select(s => "--" + s)], warmUp: warmUp);
        await app.StartAsync();
        return new LiveServer(app);
    }

    /// <summary>A free TCP port on loopback (an https address cannot use port 0 and still be read back by the tests).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A self-signed certificate for 127.0.0.1 written as PEM certificate and key files.</summary>
    public static X509Certificate2 WriteCertificate(string certificatePath, string keyPath)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, rsa.ExportPkcs8PrivateKeyPem());
        return certificate;
    }

    /// <summary>A client that trusts exactly <paramref name="certificate"/>.</summary>
    public static HttpClient TrustingClient(X509Certificate2 certificate) => new(new HttpClientHandler
    {
        ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.Thumbprint == certificate.Thumbprint,
    });

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
