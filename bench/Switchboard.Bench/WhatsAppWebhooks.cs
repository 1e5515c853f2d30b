using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Switchboard.Channels.WhatsApp;

namespace Switchboard.Bench;

/// <summary>A webhook body as Meta would POST it, with its signature header value.</summary>
public sealed record SignedWebhook(byte[] Body, string Signature);

/// <summary>Meta's inbound-message webhook (the shape tests/MessagingTests.Inbound builds), signed as Meta signs it:
/// <c>X-Hub-Signature-256: sha256=&lt;hex HMAC-SHA256(app secret, raw body)&gt;</c>.</summary>
public static class WhatsAppWebhooks
{
    public const string AppSecret = "bench-app-secret";
    private static readonly byte[] SecretBytes = Encoding.UTF8.GetBytes(AppSecret);

    public static string Path(long channelId) => $"/webhooks/whatsapp/{channelId}";

    /// <summary>One text message from one customer.</summary>
    public static SignedWebhook Inbound(string wamid, string waId, string name, string text, DateTimeOffset at)
    {
        var buffer = new ArrayBufferWriter<byte>(768);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("object", "whatsapp_business_account");
            json.WriteStartArray("entry");
            json.WriteStartObject();
            json.WriteString("id", "419561257915477");
            json.WriteStartArray("changes");
            json.WriteStartObject();
            json.WriteString("field", "messages");
            json.WriteStartObject("value");
            json.WriteString("messaging_product", "whatsapp");
            json.WriteStartObject("metadata");
            json.WriteString("display_phone_number", "15550783881");
            json.WriteString("phone_number_id", "106540352242922");
            json.WriteEndObject();
            json.WriteStartArray("contacts");
            json.WriteStartObject();
            json.WriteStartObject("profile");
            json.WriteString("name", name);
            json.WriteEndObject();
            json.WriteString("wa_id", waId);
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteStartArray("messages");
            json.WriteStartObject();
            json.WriteString("from", waId);
            json.WriteString("id", wamid);
            json.WriteString("timestamp", at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
            json.WriteString("type", "text");
            json.WriteStartObject("text");
            json.WriteString("body", text);
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }
        var body = buffer.WrittenSpan.ToArray();
        return new SignedWebhook(body, "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(SecretBytes, body)));
    }

    /// <summary>The <paramref name="index"/>-th customer: a distinct WhatsApp id and a name from the contacts lists.</summary>
    public static (string WaId, string Name) Sender(int index) =>
        ((15_550_000_000L + index).ToString(CultureInfo.InvariantCulture),
            $"{ContactData.FirstNames[index % ContactData.FirstNames.Length]} {ContactData.LastNames[index / ContactData.FirstNames.Length % ContactData.LastNames.Length]}");

    /// <summary>A POST of <paramref name="webhook"/> to the channel's webhook URL.</summary>
    public static HttpRequestMessage Request(string path, SignedWebhook webhook)
    {
        var content = new ByteArrayContent(webhook.Body);
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.TryAddWithoutValidation(WhatsAppSignature.Header, webhook.Signature);
        return request;
    }
}
