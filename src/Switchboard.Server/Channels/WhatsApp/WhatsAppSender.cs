using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Switchboard.Conversations;
using Switchboard.Conversations.Outbound;

namespace Switchboard.Channels.WhatsApp;

/// <summary>Meta's Graph API for one WhatsApp channel: base address (<c>apiBaseUrl</c> or graph.facebook.com), version and
/// the channel's token.</summary>
public sealed class MetaGraph(HttpClient http, string baseUrl, string accessToken)
{
    public const string Version = ChannelConnectionTester.MetaGraphVersion;

    public static MetaGraph For(IHttpClientFactory clients, Channel channel, JsonObject secrets) =>
        new(clients.CreateClient(ChannelConnectionTester.HttpClientName),
            (channel.Settings["apiBaseUrl"]?.GetValue<string>() is { Length: > 0 } configured ? configured : "https://graph.facebook.com").TrimEnd('/'),
            secrets["accessToken"]?.GetValue<string>() ?? "");

    public HttpRequestMessage Request(HttpMethod method, string path, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path.StartsWith("http", StringComparison.Ordinal) ? path : $"{baseUrl}/{Version}/{path}") { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return request;
    }

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);

    /// <summary>Meta's error body: <c>{"error":{"message","type","code","error_data":{"details"}}}</c>.</summary>
    public static async Task<(string Code, string Message)> ErrorOfAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var error = (await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken))?["error"];
            var details = error?["error_data"]?["details"]?.GetValue<string>();
            return (error?["code"]?.ToString() ?? ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture),
                details is null ? error?["message"]?.GetValue<string>() ?? response.ReasonPhrase ?? "" : $"{error?["message"]}: {details}");
        }
        catch (System.Text.Json.JsonException)
        {
            return (((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture), response.ReasonPhrase ?? "");
        }
    }
}

/// <summary>Sends through the WhatsApp Cloud API: text, templates with body parameters, and media (uploaded to Meta first).
/// Meta's codes decide retrying (reference/wire-formats.md): throttling and outages are transient, the rest permanent.</summary>
internal sealed class WhatsAppSender(IHttpClientFactory clients) : IChannelSender
{
    /// <summary>Throughput (130429), pair rate (131056), maintenance (131057), and Graph's generic temporary codes.</summary>
    private static readonly HashSet<string> TransientCodes = ["130429", "131056", "131057", "131000", "1", "2", "4", "80007"];
    /// <summary>The customer stopped marketing messages.</summary>
    private const string OptOutCode = "131050";

    public bool Handles(ChannelType type) => type == ChannelType.WhatsApp;

    public async Task<SendOutcome> SendAsync(OutboundSend send, CancellationToken cancellationToken)
    {
        var graph = MetaGraph.For(clients, send.Channel, send.Secrets);
        var phoneNumberId = send.Channel.Settings["phoneNumberId"]!.GetValue<string>();
        var body = new JsonObject
        {
            ["messaging_product"] = "whatsapp",
            ["recipient_type"] = "individual",
            ["to"] = send.Contact.WaId ?? send.Contact.Phone?.TrimStart('+'),
        };
        if (send.Template is { } template)
        {
            body["type"] = "template";
            var content = new JsonObject { ["name"] = template.Name, ["language"] = new JsonObject { ["code"] = template.Language } };
            if (template.Parameters.Count > 0)
                content["components"] = new JsonArray(new JsonObject
                {
                    ["type"] = "body",
                    ["parameters"] = new JsonArray(template.Parameters.Select(p => (JsonNode)new JsonObject { ["type"] = "text", ["text"] = p }).ToArray()),
                });
            body["template"] = content;
        }
        else if (send.File is { } file)
        {
            var (mediaId, failure) = await UploadAsync(graph, phoneNumberId, file, cancellationToken);
            if (failure is not null)
                return failure;
            var kind = send.Message.Type.ToString().ToLowerInvariant();
            var media = new JsonObject { ["id"] = mediaId };
            if (!string.IsNullOrEmpty(send.Message.Text) && send.Message.Type != MessageType.Audio)
                media["caption"] = send.Message.Text;
            if (send.Message.Type == MessageType.Document)
                media["filename"] = file.Filename;
            body["type"] = kind;
            body[kind] = media;
        }
        else
        {
            body["type"] = "text";
            body["text"] = new JsonObject { ["body"] = send.Message.Text, ["preview_url"] = false };
        }

        using var response = await graph.SendAsync(graph.Request(HttpMethod.Post, $"{phoneNumberId}/messages", JsonContent.Create(body)), cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            var answer = await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken);
            return answer?["messages"]?[0]?["id"]?.GetValue<string>() is { } id
                ? new SendOutcome.Accepted(id)
                : new SendOutcome.Unconfirmed("Meta accepted the request but returned no message id.");
        }
        return await OutcomeOfAsync(response, cancellationToken);
    }

    private static async Task<(string? MediaId, SendOutcome? Failure)> UploadAsync(MetaGraph graph, string phoneNumberId, OutboundFile file,
        CancellationToken cancellationToken)
    {
        await using var stream = file.Open();
        using var form = new MultipartFormDataContent
        {
            { new StringContent("whatsapp"), "messaging_product" },
            { new StringContent(file.MimeType), "type" },
        };
        var part = new StreamContent(stream);
        part.Headers.ContentType = new MediaTypeHeaderValue(file.MimeType);
        form.Add(part, "file", file.Filename);
        using var response = await graph.SendAsync(graph.Request(HttpMethod.Post, $"{phoneNumberId}/media", form), cancellationToken);
        if (!response.IsSuccessStatusCode)
            return (null, await OutcomeOfAsync(response, cancellationToken));
        return ((await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken))?["id"]?.GetValue<string>(), null);
    }

    private static async Task<SendOutcome> OutcomeOfAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var (code, message) = await MetaGraph.ErrorOfAsync(response, cancellationToken);
        var status = (int)response.StatusCode;
        if (status >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests || TransientCodes.Contains(code))
            return new SendOutcome.Transient(code, message, response.Headers.RetryAfter?.Delta);
        return new SendOutcome.Permanent(code, message, OptOut: code == OptOutCode);
    }
}
