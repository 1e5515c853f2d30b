using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Switchboard.Simulator;

/// <summary>Plays an accepted message's life as status webhooks, one <see cref="Behaviour.StatusDelay"/> apart, bent by the
/// behaviour knobs (duplicates, reversed order, failures).</summary>
public sealed class StatusPlayer(WebhookDispatcher dispatcher, BackgroundWork work, TimeProvider clock)
{
    /// <summary>Raised when a message reaches the customer's eyes (WhatsApp read, SMS delivered), whether or not anyone
    /// receives the status webhook; simulated customers answer then.</summary>
    public event Action<SentMessage>? Seen;

    /// <summary>sent → delivered → read, or only failed. <paramref name="category"/> is the pricing category: the template's
    /// (marketing, utility, authentication) or service for free-form messages.</summary>
    public void PlayWhatsApp(MetaPhoneNumber number, SentMessage message, string category, int? failure, Behaviour behaviour)
    {
        string[] statuses = failure is null ? ["sent", "delivered", "read"] : ["failed"];
        Play(message, statuses, "read", behaviour, status =>
            MetaWire.Delivery(number, MetaWire.Envelope(number, "messages", WhatsAppStatus(number, message, status, category, failure)), behaviour));
    }

    /// <summary>queued → sent → delivered (→ read on WhatsApp); a failing recipient ends undelivered with its error code,
    /// or failed for the codes Twilio raises before handing the message on (30001 queue overflow, 30002 account suspended,
    /// 63016 WhatsApp free-form message outside the customer-service window).</summary>
    public void PlayTwilio(TwilioAccount account, SentMessage message, string? callbackUrl, string? messagingServiceSid, int? failure, Behaviour behaviour)
    {
        var whatsApp = Addresses.IsWhatsApp(message.To);
        string[] statuses = failure switch
        {
            null when whatsApp => ["queued", "sent", "delivered", "read"],
            null => ["queued", "sent", "delivered"],
            30001 or 30002 or 63016 => ["queued", "failed"],
            _ => ["queued", "sent", "undelivered"],
        };
        Play(message, statuses, whatsApp ? "read" : "delivered", behaviour, status =>
        {
            if (callbackUrl is null)
                return null;
            List<KeyValuePair<string, string>> form =
            [
                new("MessageSid", message.Id), new("SmsSid", message.Id), new("AccountSid", account.AccountSid),
                new("From", message.From), new("To", message.To), new("MessageStatus", status), new("SmsStatus", status),
                new("ApiVersion", TwilioWire.ApiVersion),
            ];
            if (messagingServiceSid is not null)
                form.Add(new("MessagingServiceSid", messagingServiceSid));
            if (status is "failed" or "undelivered")
                form.Add(new("ErrorCode", failure!.Value.ToString()));
            return TwilioWire.Delivery(account, callbackUrl, form, behaviour);
        });
    }

    private void Play(SentMessage message, string[] statuses, string seenStatus, Behaviour behaviour, Func<string, WebhookDelivery?> delivery) =>
        work.Run(async stopping =>
        {
            foreach (var status in behaviour.OutOfOrder ? statuses.Reverse() : statuses)
            {
                await Task.Delay(behaviour.StatusDelay, stopping);
                if (delivery(status) is { } webhook)
                {
                    dispatcher.Post(webhook);
                    if (behaviour.DuplicateStatuses)
                        dispatcher.Post(webhook);
                }
                if (status == seenStatus)
                    Seen?.Invoke(message);
            }
        });

    private JsonObject WhatsAppStatus(MetaPhoneNumber number, SentMessage message, string status, string category, int? failure)
    {
        var now = clock.GetUtcNow();
        var update = new JsonObject
        {
            ["id"] = message.Id,
            ["status"] = status,
            ["timestamp"] = now.ToUnixTimeSeconds().ToString(),
            ["recipient_id"] = message.To,
        };
        // Meta prices sent and delivered messages; read and failed statuses carry no conversation or pricing.
        if (status is "sent" or "delivered")
        {
            var conversation = new JsonObject { ["id"] = ConversationId(number, message.To, category) };
            if (status == "sent")
                conversation["expiration_timestamp"] = now.AddHours(24).ToUnixTimeSeconds().ToString();
            conversation["origin"] = new JsonObject { ["type"] = category };
            update["conversation"] = conversation;
            update["pricing"] = new JsonObject { ["billable"] = category != "service", ["pricing_model"] = "PMP", ["category"] = category };
        }
        if (status == "failed")
            update["errors"] = new JsonArray(MetaWire.StatusError(failure!.Value));
        var value = MetaWire.MessagesValue(number);
        value["statuses"] = new JsonArray(update);
        return value;
    }

    /// <summary>One conversation id per number, customer and category, as Meta keeps one open per category.</summary>
    private static string ConversationId(MetaPhoneNumber number, string recipient, string category) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{number.PhoneNumberId}/{recipient}/{category}")))[..32];
}
