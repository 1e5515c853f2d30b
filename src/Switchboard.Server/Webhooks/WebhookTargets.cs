using System.Net;
using System.Net.Sockets;

namespace Switchboard.Webhooks;

public sealed class OutboundWebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>Whether subscriptions may point at loopback, private, link-local or other internal addresses. On by default
    /// because a single-machine installation (and its tests) runs everything on loopback; turn it off where tenants are not
    /// trusted to reach the server's own network (cloud metadata, internal services).</summary>
    public bool AllowPrivateTargets { get; set; } = true;

    /// <summary>How long one attempt may take, answer body included.</summary>
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>Which URLs outbound webhooks may be sent to: absolute http(s) URLs and, unless
/// <see cref="OutboundWebhookOptions.AllowPrivateTargets"/>, only public addresses.</summary>
public static class WebhookTargets
{
    public const int MaxUrlLength = 2000;

    /// <summary>Why <paramref name="url"/> cannot be a subscription's target, or null when it can. Host names are checked
    /// again, on the addresses they resolve to, when a delivery connects (<see cref="Handler"/>).</summary>
    public static string? Problem(string url, bool allowPrivate)
    {
        if (url.Length > MaxUrlLength)
            return $"must be at most {MaxUrlLength} characters.";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
            return "must be an absolute http:// or https:// URL.";
        if (uri.UserInfo.Length > 0)
            return "must not contain a user name or password.";
        if (allowPrivate)
            return null;
        var host = uri.Host.Trim('[', ']');
        var internalHost = uri.IsLoopback || host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var ip) && IsPrivate(ip));
        return internalHost ? "must not point to a loopback, private or link-local address." : null;
    }

    /// <summary>Loopback, private (RFC 1918, unique local), carrier-grade NAT, link-local (cloud metadata lives there),
    /// unspecified, multicast and reserved addresses.</summary>
    public static bool IsPrivate(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address))
            return true;
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
            return address.Equals(IPAddress.IPv6Any) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal
                || address.IsIPv6Multicast;
        var b = address.GetAddressBytes();
        return b[0] switch
        {
            0 or 10 or 127 => true,
            100 => b[1] is >= 64 and < 128,
            169 => b[1] == 254,
            172 => b[1] is >= 16 and < 32,
            192 => b[1] == 168,
            >= 224 => true,
            _ => false,
        };
    }

    /// <summary>The webhooks client's handler: redirects are never followed (a receiver cannot bounce a signed delivery
    /// elsewhere), and without <see cref="OutboundWebhookOptions.AllowPrivateTargets"/> every connection is checked on the
    /// addresses actually dialled, so a public name resolving (or re-pointed) to an internal address is refused too.</summary>
    public static SocketsHttpHandler Handler(OutboundWebhookOptions options)
    {
        var handler = new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        if (options.AllowPrivateTargets)
            return handler;
        handler.UseProxy = false; // through a proxy the check would see the proxy's address, not the receiver's
        handler.ConnectCallback = async (context, cancellationToken) =>
        {
            var addresses = await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, cancellationToken);
            if (addresses.Length == 0 || addresses.Any(IsPrivate))
                throw new HttpRequestException($"Refused: {context.DnsEndPoint.Host} resolves to a loopback, private or link-local address.");
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
        return handler;
    }
}
