using System.Net;
using Lookalike.Web.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Lookalike.Web.Security;

/// <summary>
/// Who may read: anyone when the server listens on loopback addresses only (one person's machine) or was started with
/// <c>--public-read</c>; otherwise only holders of a key. Writes always need a write key.
/// </summary>
internal sealed class ServerAccess(IOptions<SearchServerOptions> options, IServer server)
{
    private bool? _readNeedsKey;

    /// <summary>Whether reading routes need a key.</summary>
    public bool ReadNeedsKey => _readNeedsKey ??= options.Value.PublicRead is { } publicRead
        ? !publicRead
        : !AllLoopback(server.Features.Get<IServerAddressesFeature>()?.Addresses ?? []);

    /// <summary>Whether every address is a loopback one (<c>localhost</c>, 127.0.0.0/8, ::1); none (an in-memory server) counts as loopback.</summary>
    public static bool AllLoopback(IEnumerable<string> addresses) => addresses.All(IsLoopback);

    private static bool IsLoopback(string address)
    {
        if (!Uri.TryCreate(address.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal),
                UriKind.Absolute, out var uri))
        {
            return false;
        }
        return uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
    }
}
