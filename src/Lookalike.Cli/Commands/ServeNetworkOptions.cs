using System.CommandLine;
using System.Globalization;
using Lookalike.Web.Hosting;

namespace Lookalike.Cli.Commands;

/// <summary>The options of <c>lookalike serve</c> for a server on a network: who may read, rate limits, CORS, TLS and proxies.</summary>
internal sealed record ServeNetworkOptions(
    Option<bool> PublicRead,
    Option<int> RateLimitBurst,
    Option<int> RateLimitPerSecond,
    Option<string[]> CorsOrigins,
    Option<string?> HttpsCertificate,
    Option<string?> HttpsKey,
    Option<string[]> TrustedProxies)
{
    public static ServeNetworkOptions Create()
    {
        var defaults = new SearchServerOptions();
        return new ServeNetworkOptions(
            new Option<bool>("--public-read")
            {
                Description = "Let anyone search and fetch images without a key, also on a non-loopback address (writes still need a write key).",
            },
            new Option<int>("--rate-limit-burst")
            {
                Description = "Searches and uploads one client (key, else address) may make at once; 0 turns the limit off.",
                DefaultValueFactory = _ => defaults.RateLimitBurst,
            },
            new Option<int>("--rate-limit-per-second")
            {
                Description = "Searches and uploads one client regains each second.",
                DefaultValueFactory = _ => defaults.RateLimitPerSecond,
            },
            new Option<string[]>("--cors-origin")
            {
                Description = "An origin (scheme://host[:port]) whose pages may call the API from a browser; repeat for more.",
                AllowMultipleArgumentsPerToken = false,
            },
            new Option<string?>("--https-cert") { Description = "TLS certificate for the https:// addresses of --urls: a PEM file (with --https-key, or holding its key) or a .pfx." },
            new Option<string?>("--https-key") { Description = "PEM private key of --https-cert." },
            new Option<string[]>("--trusted-proxy")
            {
                Description = "A reverse proxy (address or network, e.g. 10.0.0.0/8) whose X-Forwarded-For and X-Forwarded-Proto are believed; repeat for more.",
            });
    }

    /// <summary>Puts the parsed values into the server's settings.</summary>
    public void AddSettings(ParseResult parse, Dictionary<string, string?> settings)
    {
        if (parse.GetValue(PublicRead)) settings["Lookalike:PublicRead"] = "true";
        settings["Lookalike:RateLimitBurst"] = parse.GetValue(RateLimitBurst).ToString(CultureInfo.InvariantCulture);
        settings["Lookalike:RateLimitPerSecond"] = parse.GetValue(RateLimitPerSecond).ToString(CultureInfo.InvariantCulture);
        settings["Lookalike:HttpsCertificate"] = parse.GetValue(HttpsCertificate) is { } certificate ? Path.GetFullPath(certificate) : null;
        settings["Lookalike:HttpsKey"] = parse.GetValue(HttpsKey) is { } key ? Path.GetFullPath(key) : null;
        string[] origins = parse.GetValue(CorsOrigins) ?? [];
        for (int i = 0; i < origins.Length; i++) settings[$"Lookalike:CorsOrigins:{i}"] = origins[i];
        string[] proxies = parse.GetValue(TrustedProxies) ?? [];
        for (int i = 0; i < proxies.Length; i++) settings[$"Lookalike:TrustedProxies:{i}"] = proxies[i];
    }
}
