using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using Switchboard.Conversations;
using Switchboard.Platform.Database;

namespace Switchboard.Channels.Twilio;

/// <summary>Reads a stored Twilio webhook for <see cref="WebhookProcessor"/>: an inbound SMS or WhatsApp message, or a status
/// callback for one we sent.</summary>
internal sealed class TwilioWebhookReader : IWebhookReader
{
    /// <summary>Twilio's "Attempt to send to unsubscribed recipient": the customer replied STOP.</summary>
    public const string OptOutCode = "21610";
    /// <summary>Twilio sends at most 10 media per message.</summary>
    private const int MaxMedia = 10;

    /// <summary>What the errors a status callback most often carries mean (twilio.com/docs/errors); the others link there.</summary>
    private static readonly Dictionary<string, string> ErrorTexts = new()
    {
        [OptOutCode] = "The recipient has opted out (replied STOP) of messages from this sender.",
        ["30001"] = "Queue overflow: the sender's queue was too long.",
        ["30002"] = "The Twilio account is suspended.",
        ["30003"] = "Unreachable handset: the phone is off or out of coverage.",
        ["30004"] = "Message blocked by the recipient or their carrier.",
        ["30005"] = "Unknown destination: the number does not exist.",
        ["30006"] = "Landline or unreachable carrier.",
        ["30007"] = "Filtered by the carrier as unwanted.",
        ["30008"] = "Unknown error from the carrier.",
        ["63016"] = "Outside WhatsApp's 24-hour window: only an approved template can be sent.",
    };

    public bool Reads(ChannelType type) => type is ChannelType.TwilioSms or ChannelType.TwilioWhatsApp;

    public Task<ProviderUpdate> ReadAsync(Channel channel, WebhookEvent stored, CancellationToken cancellationToken) =>
        Task.FromResult(Parse(stored.Payload, stored.ReceivedAt));

    /// <summary>A form body's parameters in the order posted, decoded.</summary>
    public static List<KeyValuePair<string, string>> FormParameters(string form)
    {
        var reader = new FormReader(form);
        var pairs = new List<KeyValuePair<string, string>>();
        while (reader.ReadNextPair() is { } pair)
            pairs.Add(pair);
        return pairs;
    }

    /// <summary>One webhook: a status callback when it reports a <c>MessageStatus</c> other than "received", else an inbound
    /// message. Twilio's callbacks carry no time, so the time of receipt stands in (stable when the job runs again).</summary>
    public static ProviderUpdate Parse(string payload, DateTimeOffset receivedAt)
    {
        var fields = Fields(payload);
        string? Field(string name) => fields.GetValueOrDefault(name) is { Length: > 0 } value ? value : null;
        var sid = Field("MessageSid") ?? Field("SmsSid");
        if (sid is null)
            return ProviderUpdate.Empty;
        var json = new JsonObject(fields.Select(f => KeyValuePair.Create(f.Key, (JsonNode?)f.Value)));
        if (Field("MessageStatus") is { } status and not ("received" or "receiving"))
            return StatusOf(status) is { } reported
                ? new ProviderUpdate([], [Report(sid, reported, Field("ErrorCode"), Field("ErrorMessage"), receivedAt, json) with
                {
                    MessageId = long.TryParse(Field(ChannelWebhookUrls.MessageIdParameter), out var own) ? own : null,
                }])
                : ProviderUpdate.Empty;
        if (Field("From") is not { } from)
            return ProviderUpdate.Empty;

        var media = new List<InboundAttachment>();
        var count = int.TryParse(Field("NumMedia"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? Math.Min(n, MaxMedia) : 0;
        for (var i = 0; i < count; i++)
        {
            if (Field($"MediaUrl{i}") is { } url)
                media.Add(new InboundAttachment(ConversationsApi.TypeOf(Field($"MediaContentType{i}") ?? ""), url, Field($"MediaContentType{i}"), null));
        }
        var optOut = Field("OptOutType")?.ToUpperInvariant() switch { "STOP" => true, "START" => (bool?)false, _ => null };
        var address = from.StartsWith(TwilioRest.WhatsAppPrefix, StringComparison.Ordinal) ? from[TwilioRest.WhatsAppPrefix.Length..] : from;
        var message = new InboundMessage(sid, new InboundSender(address, Field("ProfileName")), media.Count > 0 ? media[0].Type : MessageType.Text,
            Field("Body"), json, receivedAt, media, optOut);
        return new ProviderUpdate([message], []);
    }

    /// <summary>A form's fields (the first value of each), or a JSON body's top-level values.</summary>
    private static Dictionary<string, string> Fields(string payload) => payload.TrimStart().StartsWith('{')
        ? (JsonNode.Parse(payload) as JsonObject ?? []).Where(p => p.Value is JsonValue).ToDictionary(p => p.Key, p => p.Value!.ToString())
        : FormParameters(payload).DistinctBy(p => p.Key).ToDictionary();

    /// <summary>Queued, accepted, sending and scheduled say nothing the pending message does not; canceled ends it.</summary>
    private static MessageStatus? StatusOf(string status) => status switch
    {
        "sent" => MessageStatus.Sent,
        "delivered" => MessageStatus.Delivered,
        "read" => MessageStatus.Read,
        "undelivered" or "failed" or "canceled" => MessageStatus.Failed,
        _ => null,
    };

    private static ProviderStatus Report(string sid, MessageStatus status, string? code, string? text, DateTimeOffset at, JsonObject json)
    {
        if (status != MessageStatus.Failed)
            return new ProviderStatus(sid, status, at, Metadata: json);
        var message = text ?? (code is null ? "Twilio did not deliver the message."
            : ErrorTexts.GetValueOrDefault(code) ?? $"Twilio error {code}: see https://www.twilio.com/docs/errors/{code}");
        return new ProviderStatus(sid, status, at, code, message, json, OptOut: code == OptOutCode);
    }
}

/// <summary>Twilio media: the MediaUrl of an inbound message, downloaded with the account's credentials (Twilio answers with
/// a redirect to its storage, see <see cref="TwilioRest.DownloadAsync"/>).</summary>
internal sealed class TwilioMediaFetcher(IHttpClientFactory clients) : IMediaFetcher
{
    public bool Handles(ChannelType type) => type is ChannelType.TwilioSms or ChannelType.TwilioWhatsApp;

    public async Task<FetchedMedia> FetchAsync(Channel channel, JsonObject secrets, string platformUrl, CancellationToken cancellationToken)
    {
        var twilio = TwilioRest.For(clients, channel, secrets);
        var response = await twilio.DownloadAsync(platformUrl, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                var (code, message) = await TwilioRest.ErrorOfAsync(response, cancellationToken);
                throw new HttpRequestException($"Twilio refused media {platformUrl}: ({code}) {message}");
            }
        }
        return new FetchedMedia(await response.Content.ReadAsStreamAsync(cancellationToken),
            response.Content.Headers.ContentType?.MediaType ?? "application/octet-stream", response.Content.Headers.ContentLength, null);
    }
}
