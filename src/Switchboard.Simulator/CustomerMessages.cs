using System.Text.Json.Nodes;

namespace Switchboard.Simulator;

/// <summary>A customer writing in: the webhook the provider posts to the business, signed, plus what it changes (the
/// customer-service window opens; STOP and START switch Twilio's opt-out). Used by the control API and by the simulated
/// customers alike.</summary>
public sealed class CustomerMessages(CustomerActivity activity, SimulatorBehaviours behaviours, WebhookDispatcher webhooks, TimeProvider clock)
{
    /// <summary>Posts a Cloud API <c>messages</c> webhook from <paramref name="from"/> (a wa_id) carrying
    /// <paramref name="content"/> under the type's key (none for <c>unsupported</c>); returns the message's wamid.</summary>
    public string WhatsApp(MetaPhoneNumber number, string from, string name, string type, JsonObject? content)
    {
        var wamid = Ids.Wamid(from, inbound: true);
        var message = new JsonObject { ["from"] = from, ["id"] = wamid, ["timestamp"] = clock.GetUtcNow().ToUnixTimeSeconds().ToString() };
        if (type == "unsupported")
            message["errors"] = new JsonArray(MetaWire.StatusError(131051));
        message["type"] = type;
        if (content is not null)
            message[type] = content;
        var value = MetaWire.MessagesValue(number);
        value["contacts"] = new JsonArray(new JsonObject { ["profile"] = new JsonObject { ["name"] = name }, ["wa_id"] = from });
        value["messages"] = new JsonArray(message);

        activity.WroteIn(SimulatedProvider.WhatsApp, number.PhoneNumberId, from);
        var behaviour = behaviours.Get(SimulatedProvider.WhatsApp, number.PhoneNumberId);
        if (MetaWire.Delivery(number, MetaWire.Envelope(number, "messages", value), behaviour) is { } delivery)
            webhooks.Post(delivery);
        return wamid;
    }

    /// <summary>Posts Twilio's inbound-message form to the account's inbound URL. <paramref name="optOutType"/> defaults to
    /// the keyword the SMS body is (STOP, START, HELP); WhatsApp senders also carry ProfileName and WaId.</summary>
    public void Twilio(TwilioAccount account, string messageSid, string from, string to, string body,
        IReadOnlyList<(string Url, string ContentType)> media, string? optOutType, string? profileName)
    {
        var whatsApp = Addresses.IsWhatsApp(from);
        optOutType ??= whatsApp ? null : TwilioWire.OptOutType(body);
        List<KeyValuePair<string, string>> form =
        [
            new("MessageSid", messageSid), new("SmsMessageSid", messageSid), new("SmsSid", messageSid), new("AccountSid", account.AccountSid),
        ];
        if (account.MessagingServiceSid is not null)
            form.Add(new("MessagingServiceSid", account.MessagingServiceSid));
        form.AddRange([
            new("From", from), new("To", to), new("Body", body), new("NumMedia", media.Count.ToString()),
            new("NumSegments", TwilioWire.Segments(body).ToString()), new("SmsStatus", "received"), new("ApiVersion", TwilioWire.ApiVersion),
        ]);
        for (var i = 0; i < media.Count; i++)
            form.AddRange([new($"MediaContentType{i}", media[i].ContentType), new($"MediaUrl{i}", media[i].Url)]);
        if (optOutType is not null)
            form.Add(new("OptOutType", optOutType));
        if (whatsApp)
            form.AddRange([new("ProfileName", profileName ?? ""), new("WaId", Addresses.Digits(from))]);

        activity.WroteIn(SimulatedProvider.Twilio, account.AccountSid, from);
        if (optOutType is "STOP" or "START")
            activity.SetOptedOut(account.AccountSid, from, optOutType == "STOP");
        if (account.InboundWebhookUrl is not null)
            webhooks.Post(TwilioWire.Delivery(account, account.InboundWebhookUrl, form, behaviours.Get(SimulatedProvider.Twilio, account.AccountSid)));
    }
}
