using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Lookalike.Errors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Lookalike.Web.Hosting;

/// <summary>
/// How the server meets the network: TLS from a certificate file, browser clients from the configured origins only (CORS),
/// and the client address from <c>X-Forwarded-For</c> only when the connection comes from a trusted proxy.
/// </summary>
internal static class ServerTransport
{
    public const string CorsPolicy = "configured-origins";

    public static IServiceCollection AddLookalikeTransport(this IServiceCollection services)
    {
        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<IOptions<SearchServerOptions>>((cors, settings) =>
            cors.AddPolicy(CorsPolicy, policy => policy.WithOrigins(settings.Value.CorsOrigins ?? [])
                .WithMethods("GET", "POST", "DELETE")
                .WithHeaders("Authorization", Security.ApiKeyAuthenticationHandler.HeaderName, "Content-Type")
                .WithExposedHeaders("Retry-After", "Location")
                .SetPreflightMaxAge(TimeSpan.FromMinutes(10))));
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<SearchServerOptions>>((forwarded, settings) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // Nothing is trusted by default (ASP.NET Core would trust loopback): only the proxies named.
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (string proxy in settings.Value.TrustedProxies ?? [])
            {
                if (proxy.Contains('/', StringComparison.Ordinal)) forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(proxy));
                else forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
            }
        });
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<SearchServerOptions>>((kestrel, settings) =>
        {
            if (settings.Value.HttpsCertificate is { } certificate)
            {
                var loaded = LoadCertificate(certificate, settings.Value.HttpsKey);
                kestrel.ConfigureHttpsDefaults(https => https.ServerCertificate = loaded);
            }
        });
        return services;
    }

    /// <summary>Checks the transport settings, so that a mistyped proxy address or a certificate without an https address fails at start.</summary>
    /// <param name="options">The server's settings.</param>
    /// <param name="urls">The addresses of <c>--urls</c>, when given that way.</param>
    /// <exception cref="LookalikeException">for an address or network that cannot be read, or TLS settings that do not fit the addresses.</exception>
    public static void Validate(SearchServerOptions options, string? urls)
    {
        if (urls is not null)
        {
            bool https = urls.Contains("https://", StringComparison.OrdinalIgnoreCase);
            if (options.HttpsCertificate is not null && !https)
                throw new LookalikeException($"--https-cert is given but --urls ({urls}) has no https:// address to use it on.");
            if (options.HttpsCertificate is null && https)
                throw new LookalikeException($"--urls ({urls}) has an https:// address: give its certificate with --https-cert FILE [--https-key FILE].");
        }
        foreach (string proxy in options.TrustedProxies ?? [])
        {
            bool ok = proxy.Contains('/', StringComparison.Ordinal) ? System.Net.IPNetwork.TryParse(proxy, out _) : IPAddress.TryParse(proxy, out _);
            if (!ok) throw new LookalikeException($"--trusted-proxy '{proxy}' is neither an IP address nor a network (e.g. 10.0.0.0/8).");
        }
        foreach (string origin in options.CorsOrigins ?? [])
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.AbsolutePath != "/" || origin.EndsWith('/'))
                throw new LookalikeException($"--cors-origin '{origin}' is not an origin (scheme://host[:port], no path), e.g. https://photos.example.org.");
        }
        if (options.HttpsKey is not null && options.HttpsCertificate is null) throw new LookalikeException("--https-key needs --https-cert.");
    }

    /// <summary>A certificate with its private key: PEM certificate and key files, a PEM file holding both, or a PKCS#12 (.pfx/.p12) file.</summary>
    /// <exception cref="LookalikeException">when the files are missing or hold no usable certificate.</exception>
    public static X509Certificate2 LoadCertificate(string certificatePath, string? keyPath)
    {
        foreach (string path in keyPath is null ? [certificatePath] : new[] { certificatePath, keyPath })
        {
            if (!File.Exists(path)) throw new LookalikeException($"The TLS file '{path}' does not exist.");
        }
        try
        {
            string extension = Path.GetExtension(certificatePath).ToLowerInvariant();
            var certificate = extension is ".pfx" or ".p12"
                ? X509CertificateLoader.LoadPkcs12FromFile(certificatePath, null)
                : X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
            return certificate.HasPrivateKey
                ? certificate
                : throw new LookalikeException($"The certificate '{certificatePath}' comes without its private key: give --https-key FILE.");
        }
        catch (CryptographicException e)
        {
            throw new LookalikeException($"The TLS certificate '{certificatePath}' could not be read: {e.Message}");
        }
    }
}
