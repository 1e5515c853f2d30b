using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Switchboard.Channels;
using Switchboard.Contacts;

namespace Switchboard.Conversations.Outbound;

/// <summary>A template send: the template's name and language, and the body's <c>{{n}}</c> values in order.
/// <see cref="ProviderTemplateId"/> is the provider's id of the template when Switchboard knows it: Twilio sends a Content
/// template by its SID, Meta by name and language.</summary>
public sealed record OutboundTemplate(string Name, string Language, IReadOnlyList<string> Parameters, string? ProviderTemplateId = null)
{
    /// <summary>Kept in <see cref="Message.Payload"/> under this key, so the thread can show what was sent.</summary>
    public const string PayloadKey = "template";

    public JsonObject ToPayload() => new()
    {
        [PayloadKey] = new JsonObject
        {
            ["name"] = Name, ["language"] = Language, ["parameters"] = new JsonArray(Parameters.Select(p => (JsonNode?)JsonValue.Create(p)).ToArray()),
            ["providerTemplateId"] = ProviderTemplateId,
        },
    };

    public static TemplateView? Describe(JsonObject payload) => payload[PayloadKey] is JsonObject t
        ? new TemplateView(t["name"]?.GetValue<string>() ?? "", t["language"]?.GetValue<string>() ?? "",
            t["parameters"]?.AsArray().Select(p => p?.GetValue<string>() ?? "").ToList() ?? [])
        : null;

    public static OutboundTemplate? From(JsonObject payload) =>
        Describe(payload) is { } view
            ? new OutboundTemplate(view.Name, view.Language, view.Parameters, payload[PayloadKey]?["providerTemplateId"]?.GetValue<string>())
            : null;
}

/// <summary>Everything a channel adapter needs to send one message.</summary>
public sealed record OutboundSend(Channel Channel, JsonObject Secrets, Contact Contact, Conversation Conversation, Message Message,
    OutboundFile? File, OutboundTemplate? Template, Uri StatusCallbackUrl);

/// <summary>An agent's file to send, opened from storage.</summary>
public sealed record OutboundFile(Func<Stream> Open, string MimeType, string Filename, long Size, Uri PublicUrl);

/// <summary>What the provider said: accepted with its id, try again later, or never.</summary>
public abstract record SendOutcome
{
    public sealed record Accepted(string ProviderMessageId) : SendOutcome;

    /// <summary>Worth retrying (5xx, throttling); <see cref="RetryAfter"/> when the provider says how long to wait.</summary>
    public sealed record Transient(string Code, string Message, TimeSpan? RetryAfter = null) : SendOutcome;

    /// <summary>Retrying cannot help (bad token, unknown template, undeliverable number). <see cref="OptOut"/>: the
    /// customer refuses messages on this channel.</summary>
    public sealed record Permanent(string Code, string Message, bool OptOut = false) : SendOutcome;

    /// <summary>The message may have reached the provider but its answer did not say so (the connection dropped after the
    /// whole message was handed over, a success without an id): never sent again automatically.</summary>
    public sealed record Unconfirmed(string Reason) : SendOutcome;
}

/// <summary>One provider's way of sending (WhatsApp Cloud API, Twilio, SMTP, web chat).</summary>
public interface IChannelSender
{
    bool Handles(ChannelType type);

    Task<SendOutcome> SendAsync(OutboundSend send, CancellationToken cancellationToken);
}

public sealed class MessagingOptions
{
    public const string Section = "Messaging";

    /// <summary>Messages per second per channel, by type; WhatsApp's default number throughput is 80/s. 0 = unlimited.</summary>
    public Dictionary<ChannelType, double> RatePerSecond { get; set; } = new()
    {
        [ChannelType.WhatsApp] = 80, [ChannelType.TwilioWhatsApp] = 80, [ChannelType.TwilioSms] = 10, [ChannelType.Email] = 10,
    };

    public double RateFor(ChannelType type) => RatePerSecond.GetValueOrDefault(type);
}

/// <summary>A token bucket per channel (this node's share). A send that finds the bucket empty is told when to come back:
/// waiting sends are given slots one token apart in the order they asked, so a burst drains at the channel's rate instead of
/// every waiting send retrying at the same instant.</summary>
public sealed class ChannelRateLimiter(MessagingOptions options, TimeProvider clock)
{
    private sealed class Bucket
    {
        public double Tokens;
        public long LastTicks;
        /// <summary>The timestamp of the last slot handed to a waiting send.</summary>
        public long LastSlotTicks;
    }

    private readonly ConcurrentDictionary<long, Bucket> buckets = new();

    /// <summary>Null when the send may go now; otherwise the wait until its slot.</summary>
    public TimeSpan? TryAcquire(Channel channel)
    {
        var rate = options.RateFor(channel.Type);
        if (rate <= 0)
            return null;
        var now = clock.GetTimestamp();
        var bucket = buckets.GetOrAdd(channel.Id, _ => new Bucket { Tokens = rate, LastTicks = now, LastSlotTicks = now });
        lock (bucket)
        {
            var elapsed = clock.GetElapsedTime(bucket.LastTicks, now).TotalSeconds;
            bucket.Tokens = Math.Min(rate, bucket.Tokens + elapsed * rate);
            bucket.LastTicks = now;
            if (bucket.Tokens >= 1)
            {
                bucket.Tokens -= 1;
                return null;
            }
            var interval = (long)(clock.TimestampFrequency / rate);
            var nextToken = now + (long)((1 - bucket.Tokens) * interval);
            bucket.LastSlotTicks = Math.Max(nextToken, bucket.LastSlotTicks + interval);
            return clock.GetElapsedTime(now, bucket.LastSlotTicks);
        }
    }
}
