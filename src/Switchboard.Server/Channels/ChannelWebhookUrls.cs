using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Switchboard.Conversations;

namespace Switchboard.Channels;

/// <summary>The addresses providers call back or fetch from: the channel's webhooks and short-lived links to media an agent
/// sends (Twilio downloads MediaUrl itself). <c>Webhooks:PublicBaseUrl</c> names the address the outside world uses (behind
/// a proxy); without it, the current request's address, or for background work this server's own listening address.</summary>
public sealed class ChannelWebhookUrls(IConfiguration configuration, IServer server, IDataProtectionProvider protection)
{
    public static readonly TimeSpan MediaLinkLifetime = TimeSpan.FromHours(24);
    private readonly ITimeLimitedDataProtector mediaLinks = protection.CreateProtector("Switchboard.MediaLinks").ToTimeLimitedDataProtector();

    public string BaseUrl(HttpRequest? request = null) =>
        (configuration["Webhooks:PublicBaseUrl"] ?? (request is null ? ListeningAddress() : $"{request.Scheme}://{request.Host}")).TrimEnd('/');

    public Dictionary<string, string> For(Channel channel, HttpRequest? request = null)
    {
        var baseUrl = BaseUrl(request);
        return channel.Type switch
        {
            ChannelType.WhatsApp => new() { ["inbound"] = $"{baseUrl}/webhooks/whatsapp/{channel.Id}" },
            ChannelType.TwilioSms or ChannelType.TwilioWhatsApp => new()
            {
                ["inbound"] = $"{baseUrl}/webhooks/twilio/{channel.Id}",
                ["statusCallback"] = $"{baseUrl}/webhooks/twilio/{channel.Id}",
            },
            ChannelType.Email => new() { ["inbound"] = $"{baseUrl}/webhooks/email/{channel.Id}" },
            _ => new() { ["widget"] = $"{baseUrl}/widget/{channel.Id}" },
        };
    }

    /// <summary>Where the provider reports on <paramref name="message"/>: the channel's callback with our id of the message in the
    /// query (signed with the rest by Twilio), so a report can find a message whose provider id was never recorded.</summary>
    public Uri StatusCallback(Channel channel, Conversations.Message message) => new(Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(
        For(channel).GetValueOrDefault("statusCallback") ?? For(channel).Values.First(), MessageIdParameter,
        message.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>The status callback's query parameter that carries our message id.</summary>
    public const string MessageIdParameter = "sbMessage";

    /// <summary>A link anyone holding it may download the file with, for a day (the token is encrypted and time-limited).</summary>
    public Uri PublicMediaUrl(MediaFile file) =>
        new($"{BaseUrl()}/media/{mediaLinks.Protect($"{file.TenantId}:{file.Id}", MediaLinkLifetime)}");

    /// <summary>The tenant and file a media link names, or null for a forged or expired link.</summary>
    public (long TenantId, long FileId)? ReadMediaLink(string token)
    {
        try
        {
            var parts = mediaLinks.Unprotect(token).Split(':');
            return (long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }

    private string ListeningAddress() =>
        server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()?.Replace("://+", "://localhost").Replace("://*", "://localhost")
        ?? "http://localhost";
}
