using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Channels.Twilio;
using Switchboard.Platform.Network;

namespace Switchboard.Channels;

public sealed record ConnectionTestResult(bool Ok, string Detail);

/// <summary>Checks a channel's credentials with one harmless read at the provider: Meta's phone-number object, Twilio's
/// account, the SMTP server's greeting. The provider's own error text is passed on, since it says what to fix; a destination
/// the <see cref="OutboundGuard"/> refuses is only called that.</summary>
public sealed class ChannelConnectionTester(IHttpClientFactory clients, OutboundGuard guard)
{
    public const string HttpClientName = "providers";
    public const string MetaGraphVersion = "v23.0";
    private static readonly TimeSpan SmtpTimeout = TimeSpan.FromSeconds(10);

    public async Task<ConnectionTestResult> TestAsync(Channel channel, JsonObject secrets, CancellationToken cancellationToken)
    {
        string Setting(string name) => (channel.Settings[name] ?? secrets[name])?.GetValue<object>()?.ToString() ?? "";
        try
        {
            return channel.Type switch
            {
                ChannelType.WhatsApp => await TestMetaAsync(WhatsApp.MetaGraph.For(clients, channel, secrets), Setting("phoneNumberId"), cancellationToken),
                ChannelType.TwilioSms or ChannelType.TwilioWhatsApp => await TestTwilioAsync(channel, secrets, cancellationToken),
                ChannelType.Email => await TestSmtpAsync(Setting("smtpHost"), int.Parse(Setting("smtpPort")), cancellationToken),
                _ => new ConnectionTestResult(true, "Web chat runs on this server; there is no provider to reach."),
            };
        }
        catch (DestinationNotAllowedException)
        {
            return new ConnectionTestResult(false, DestinationNotAllowedException.Text);
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or IOException or TaskCanceledException or JsonException)
        {
            return new ConnectionTestResult(false, $"Could not reach the provider: {e.Message}");
        }
    }

    private static async Task<ConnectionTestResult> TestMetaAsync(WhatsApp.MetaGraph graph, string phoneNumberId, CancellationToken cancellationToken)
    {
        using var response = await graph.SendAsync(graph.Request(HttpMethod.Get, Uri.EscapeDataString(phoneNumberId)), cancellationToken);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken) ?? [];
        if (response.IsSuccessStatusCode)
            return new ConnectionTestResult(true, $"Connected to {body["display_phone_number"]} ({body["verified_name"]}).");
        var error = body["error"];
        return new ConnectionTestResult(false, $"Meta answered {(int)response.StatusCode}: (#{error?["code"]}) {error?["message"]}");
    }

    private async Task<ConnectionTestResult> TestTwilioAsync(Channel channel, JsonObject secrets, CancellationToken cancellationToken)
    {
        var twilio = TwilioRest.For(clients, channel, secrets);
        using var response = await twilio.SendAsync(twilio.Request(HttpMethod.Get, twilio.Account(".json")), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var (code, message) = await TwilioRest.ErrorOfAsync(response, cancellationToken);
            return new ConnectionTestResult(false, $"Twilio answered {(int)response.StatusCode}: {message} ({code})");
        }
        var body = await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken) ?? [];
        return new ConnectionTestResult(true, $"Connected to Twilio account {body["friendly_name"]} ({body["status"]}).");
    }

    /// <summary>An SMTP server greets with 220 as soon as the connection opens; that is enough to know host and port are right.
    /// Anything else is not repeated: the test must not read out another service's banner.</summary>
    private async Task<ConnectionTestResult> TestSmtpAsync(string host, int port, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(SmtpTimeout);
        await using var stream = new NetworkStream(await guard.ConnectSmtpAsync(host, port, timeout.Token), ownsSocket: true);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var greeting = await reader.ReadLineAsync(timeout.Token) ?? "";
        return greeting.StartsWith("220", StringComparison.Ordinal)
            ? new ConnectionTestResult(true, $"The SMTP server answered: {greeting}")
            : new ConnectionTestResult(false, $"{host}:{port} answered, but not as an SMTP server.");
    }

}
