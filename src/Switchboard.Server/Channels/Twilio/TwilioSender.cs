using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Conversations.Outbound;

namespace Switchboard.Channels.Twilio;

/// <summary>Sends SMS and WhatsApp messages through Twilio's Messages resource: text, one file by its public link (Twilio
/// downloads it), WhatsApp templates as Content (<c>ContentSid</c>, <c>ContentVariables</c>), and the status callback URL. Throttling and Twilio outages are transient; everything else permanent,
/// with Twilio's code and text.</summary>
internal sealed class TwilioSender(IHttpClientFactory clients) : IChannelSender
{
    /// <summary>Customers' names and symbols stay readable in Twilio's logs; the value is a form field, never HTML.</summary>
    private static readonly JsonSerializerOptions ContentVariablesJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Twilio's "Too Many Requests", also sent with other statuses than 429.</summary>
    private const string TooManyRequestsCode = "20429";

    public bool Handles(ChannelType type) => type is ChannelType.TwilioSms or ChannelType.TwilioWhatsApp;

    public async Task<SendOutcome> SendAsync(OutboundSend send, CancellationToken cancellationToken)
    {
        var type = send.Channel.Type;
        var phone = send.Contact.Phone ?? (send.Contact.WaId is { } waId ? "+" + waId : null);
        if (phone is null)
            return new SendOutcome.Permanent("no_phone", $"{send.Contact.Name} has no phone number to send to.");
        var form = new List<KeyValuePair<string, string>> { new("To", TwilioRest.Address(type, phone)) };
        // A messaging service picks the sender from its pool (and applies its opt-out handling); otherwise the channel's number.
        if (send.Channel.Settings["messagingServiceSid"]?.GetValue<string>() is { Length: > 0 } service)
            form.Add(new("MessagingServiceSid", service));
        else
            form.Add(new("From", TwilioRest.Address(type, send.Channel.Settings["fromNumber"]!.GetValue<string>())));
        // A WhatsApp template is Twilio Content: its SID, and the values keyed by placeholder number ({"1":"…","2":"…"}).
        if (send.Template is { ProviderTemplateId: { } contentSid } template)
        {
            form.Add(new("ContentSid", contentSid));
            var variables = template.Parameters.Select((value, i) => KeyValuePair.Create((i + 1).ToString(CultureInfo.InvariantCulture), value));
            if (template.Parameters.Count > 0)
                form.Add(new("ContentVariables", JsonSerializer.Serialize(new Dictionary<string, string>(variables), ContentVariablesJson)));
        }
        else if (!string.IsNullOrEmpty(send.Message.Text))
            form.Add(new("Body", send.Message.Text));
        if (send.File is { } file)
            form.Add(new("MediaUrl", file.PublicUrl.ToString()));
        form.Add(new("StatusCallback", send.StatusCallbackUrl.ToString()));

        var twilio = TwilioRest.For(clients, send.Channel, send.Secrets);
        using var response = await twilio.SendAsync(twilio.Request(HttpMethod.Post, twilio.Account("/Messages.json"), new FormUrlEncodedContent(form)),
            cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            var answer = await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken);
            return answer?["sid"]?.GetValue<string>() is { } sid
                ? new SendOutcome.Accepted(sid)
                : new SendOutcome.Unconfirmed("Twilio accepted the request but returned no message sid.");
        }
        var (code, message) = await TwilioRest.ErrorOfAsync(response, cancellationToken);
        if ((int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests || code == TooManyRequestsCode)
            return new SendOutcome.Transient(code, message, response.Headers.RetryAfter?.Delta);
        return new SendOutcome.Permanent(code, message, OptOut: code == TwilioWebhookReader.OptOutCode);
    }
}
