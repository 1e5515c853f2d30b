using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;

namespace Switchboard.Platform.Network;

public sealed class OutboundNetworkOptions
{
    public const string Section = "Network";

    /// <summary>CIDRs (<c>10.20.0.0/16</c>, <c>127.0.0.0/8</c>, <c>fd00::/8</c>) that tenant-supplied destinations may reach
    /// although they are not public: the operator's exceptions, e.g. an SMTP relay or a proxy on the internal network.</summary>
    public List<string> AllowedOutboundNetworks { get; set; } = [];
}

/// <summary>A tenant-supplied destination the <see cref="OutboundGuard"/> refused. The message is all a tenant is told: no
/// address, no socket error, nothing that maps the server's network.</summary>
public sealed class DestinationNotAllowedException() : HttpRequestException(HttpRequestError.ConnectionError, Text)
{
    public const string Text = "destination not allowed";

    /// <summary>Whether <paramref name="exception"/> is a refusal, or wraps one (HttpClient wraps what its connect step throws).</summary>
    public static bool IsRefusal(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is DestinationNotAllowedException)
                return true;
        }
        return false;
    }
}

/// <summary>The one gate for every connection to a host a tenant chose (outbound webhooks, a channel's <c>apiBaseUrl</c> and
/// the media URLs it hands out, SMTP servers): the host is resolved here, every address it resolves to must be public or
/// inside an operator exception, and the connection goes to those same checked addresses, never to a second lookup (no DNS
/// rebinding). HTTP clients get it through <see cref="CreateHandler"/>; SMTP through <see cref="ConnectSmtpAsync"/>.</summary>
public sealed class OutboundGuard
{
    /// <summary>The ports an SMTP server listens on: 25 (relay), 465 (implicit TLS), 587 (submission), 2525 (common alternative).</summary>
    public static readonly IReadOnlySet<int> SmtpPorts = new HashSet<int> { 25, 465, 587, 2525 };

    /// <summary>IPv4 ranges that are not globally reachable (IANA special-purpose registry): "this network", private,
    /// carrier-grade NAT, loopback, link-local (cloud metadata at 169.254.169.254), IETF protocol assignments, documentation,
    /// the deprecated 6to4 relay, benchmarking, multicast, reserved and broadcast.</summary>
    private static readonly IPNetwork[] NonPublicIPv4 =
    [
        .. new[]
        {
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24",
            "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
        }.Select(IPNetwork.Parse),
    ];

    /// <summary>IPv6 is public only inside global unicast (2000::/3), which leaves out loopback, unspecified, IPv4-compatible,
    /// unique local (fc00::/7), link-local (fe80::/10), multicast (ff00::/8) and the NAT64 local-use prefix.</summary>
    private static readonly IPNetwork GlobalUnicast = IPNetwork.Parse("2000::/3");

    /// <summary>Inside global unicast but not globally reachable: IETF protocol assignments (Teredo among them), documentation.</summary>
    private static readonly IPNetwork[] NonPublicIPv6 = [.. new[] { "2001::/23", "2001:db8::/32", "3fff::/20" }.Select(IPNetwork.Parse)];

    /// <summary>Prefixes that carry an IPv4 address (NAT64 in the last 32 bits, 6to4 in bits 16-47): judged by that address.</summary>
    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");

    private readonly IPNetwork[] allowedNetworks;
    private ImmutableHashSet<IPEndPoint> allowedEndpoints = [];

    public OutboundGuard(OutboundNetworkOptions options)
    {
        allowedNetworks = options.AllowedOutboundNetworks.Where(n => !string.IsNullOrWhiteSpace(n)).Select(ParseNetwork).ToArray();
    }

    private static IPNetwork ParseNetwork(string text)
    {
        text = text.Trim();
        if (IPNetwork.TryParse(text, out var network))
            return network;
        if (IPAddress.TryParse(text, out var single))
            return new IPNetwork(single, single.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
        throw new InvalidOperationException(
            $"Network:AllowedOutboundNetworks: “{text}” is not a network in CIDR notation such as 10.0.0.0/8.");
    }

    /// <summary>Lets the server reach one endpoint of its own whatever the policy: demo mode's in-process simulator, which
    /// listens on this server's (usually loopback) address.</summary>
    public void AllowEndpoint(IPEndPoint endpoint) => ImmutableInterlocked.Update(ref allowedEndpoints, set => set.Add(Normalize(endpoint)));

    /// <summary>Whether a connection to <paramref name="address"/>:<paramref name="port"/> is allowed.</summary>
    public bool IsAllowed(IPAddress address, int port)
    {
        address = Unmapped(address);
        return IsPublic(address) || allowedNetworks.Any(n => n.Contains(address)) || allowedEndpoints.Contains(new IPEndPoint(address, port));
    }

    /// <summary>Whether <paramref name="address"/> is globally reachable, the only kind a tenant may name without an exception.</summary>
    public static bool IsPublic(IPAddress address)
    {
        address = Unmapped(address);
        if (address.AddressFamily == AddressFamily.InterNetwork)
            return !NonPublicIPv4.Any(n => n.Contains(address));
        var bytes = address.GetAddressBytes();
        if (Nat64.Contains(address))
            return IsPublic(new IPAddress(bytes[12..16]));
        if (SixToFour.Contains(address))
            return IsPublic(new IPAddress(bytes[2..6]));
        return GlobalUnicast.Contains(address) && !NonPublicIPv6.Any(n => n.Contains(address));
    }

    /// <summary>The input-time check of a URL a tenant gives (an absolute http(s) URL): false when its host is an address,
    /// or a name that always means loopback (<c>localhost</c>, RFC 6761), that is not allowed. Other names pass here; what
    /// they resolve to is decided when connecting.</summary>
    public bool AllowsUrl(Uri url) => AllowsHost(url.Host, url.Port);

    /// <summary>The input-time check of a host and port (see <see cref="AllowsUrl"/>).</summary>
    public bool AllowsHost(string host, int port)
    {
        host = host.Trim().TrimEnd('.');
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
            return IsAllowed(IPAddress.Loopback, port) && IsAllowed(IPAddress.IPv6Loopback, port);
        // Uri has already turned 2130706433, 127.1 and 0x7f.1 into dotted quads; a bare host setting is parsed the same way.
        return !IPAddress.TryParse(host.Trim('[', ']'), out var address) || IsAllowed(address, port);
    }

    /// <summary>Resolves <paramref name="host"/> and connects to the addresses it resolved to, once every one is allowed;
    /// otherwise throws <see cref="DestinationNotAllowedException"/> without having connected anywhere.</summary>
    public async Task<Socket> ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        try
        {
            addresses = await Dns.GetHostAddressesAsync(host.Trim('[', ']'), cancellationToken);
        }
        catch (SocketException)
        {
            // The same answer as for a name resolving inside: which internal names exist is not for tenants to learn.
            throw new DestinationNotAllowedException();
        }
        if (addresses.Length == 0 || addresses.Any(a => !IsAllowed(a, port)))
            throw new DestinationNotAllowedException();
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, port, cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary><see cref="ConnectAsync"/> for SMTP, which is spoken only on <see cref="SmtpPorts"/>: a tenant cannot make the
    /// server talk SMTP to (and read the banner of) any other service.</summary>
    public Task<Socket> ConnectSmtpAsync(string host, int port, CancellationToken cancellationToken) =>
        SmtpPorts.Contains(port) ? ConnectAsync(host, port, cancellationToken) : throw new DestinationNotAllowedException();

    /// <summary>The primary handler of every HTTP client that calls tenant-supplied hosts: each connection goes through
    /// <see cref="ConnectAsync"/>, no proxy (the check would see the proxy, not the destination), and redirects are not
    /// followed (a caller that must follow one does so itself, through this same handler).</summary>
    public SocketsHttpHandler CreateHandler() => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectCallback = async (context, cancellationToken) =>
            new NetworkStream(await ConnectAsync(context.DnsEndPoint.Host, context.DnsEndPoint.Port, cancellationToken), ownsSocket: true),
    };

    private static IPAddress Unmapped(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private static IPEndPoint Normalize(IPEndPoint endpoint) => new(Unmapped(endpoint.Address), endpoint.Port);
}

public static class OutboundGuardSetup
{
    public static IServiceCollection AddOutboundGuard(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(OutboundNetworkOptions.Section).Get<OutboundNetworkOptions>() ?? new OutboundNetworkOptions();
        return services.AddSingleton(new OutboundGuard(options));
    }

    /// <summary>Makes this named client's every connection pass the <see cref="OutboundGuard"/>.</summary>
    public static IHttpClientBuilder UseOutboundGuard(this IHttpClientBuilder builder) =>
        builder.ConfigurePrimaryHttpMessageHandler(services => services.GetRequiredService<OutboundGuard>().CreateHandler())
            .AddHttpMessageHandler(() => new RefusalHandler());

    /// <summary>HttpClient wraps what the connect step throws and adds the host and port to its message; a refusal is passed
    /// on as itself, so whatever shows an error to a tenant shows only "destination not allowed".</summary>
    private sealed class RefusalHandler : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            try
            {
                return await base.SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException e) when (e is not DestinationNotAllowedException && DestinationNotAllowedException.IsRefusal(e))
            {
                throw new DestinationNotAllowedException();
            }
        }
    }
}
