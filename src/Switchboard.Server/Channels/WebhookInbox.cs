using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Switchboard.Platform.Database;
using Switchboard.Platform.Security;

namespace Switchboard.Channels;

/// <summary>What every provider webhook does around its own proof (signature, basic auth): find the channel it names, and
/// store a verified delivery for <see cref="WebhookProcessor"/>, so the provider can be answered at once. Used by WhatsApp,
/// Twilio and email.</summary>
public sealed class WebhookInbox(WebhookChannelCache channels, WebhookWriter writer)
{
    /// <summary>An active channel of one of <paramref name="types"/> with its secrets. A webhook names its channel, not its
    /// tenant: this lookup spans tenants by design, and the provider's proof is what identifies the caller.</summary>
    public async Task<(Channel Channel, JsonObject Secrets)?> FindAsync(long channelId, IReadOnlyCollection<ChannelType> types,
        CancellationToken cancellationToken)
    {
        var found = await channels.GetAsync(channelId, cancellationToken);
        return found is { } f && types.Contains(f.Channel.Type) && f.Channel.Status == ChannelStatus.Active ? found : null;
    }

    /// <summary>The raw body: signatures are checked on the exact bytes, before any parsing.</summary>
    public static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    public static string Hash(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Stores a verified delivery, due for <see cref="WebhookProcessor"/>, committed before this returns: an accepted
    /// webhook is never left unprocessed. <paramref name="deliveryKey"/> identifies the
    /// delivery (usually <see cref="Hash"/> of the raw body, since providers re-deliver byte-identical payloads). False when
    /// a delivery with that key is already stored: a re-delivery, or the same one racing itself.</summary>
    public Task<bool> AcceptAsync(Channel channel, string payload, string deliveryKey, CancellationToken cancellationToken) =>
        writer.StoreAsync(new PendingWebhook(channel.TenantId, channel.Id, Storable(payload), deliveryKey), cancellationToken);

    /// <summary>PostgreSQL text cannot hold NUL: a signed body carrying one raw would fail the group commit it shares with other
    /// tenants' webhooks. It is stored as U+FFFD, as undecodable bytes already are (the signature was checked on the raw bytes).</summary>
    internal static string Storable(string payload) => payload.Contains('\0') ? payload.Replace('\0', '\uFFFD') : payload;
}
