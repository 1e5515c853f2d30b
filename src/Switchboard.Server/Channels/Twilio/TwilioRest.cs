using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Switchboard.Channels.Twilio;

/// <summary>Twilio's REST API for one channel's account: the base address and HTTP basic auth with the account SID and
/// auth token. Messaging (2010-04-01, api.twilio.com) carries sending, media downloads and the connection test; the Content
/// API (v1, content.twilio.com) the channel's Content templates. A channel's <c>apiBaseUrl</c> replaces both hosts, so one
/// proxy or the provider simulator serves both.</summary>
public sealed class TwilioRest
{
    public const string DefaultBaseUrl = "https://api.twilio.com";
    public const string DefaultContentBaseUrl = "https://content.twilio.com";
    /// <summary>Twilio writes WhatsApp addresses as <c>whatsapp:+14155550100</c>.</summary>
    public const string WhatsAppPrefix = "whatsapp:";

    private readonly HttpClient http;
    private readonly string apiRoot;
    private readonly AuthenticationHeaderValue credentials;

    private TwilioRest(HttpClient http, string apiRoot, string accountSid, string authToken)
    {
        this.http = http;
        this.apiRoot = apiRoot;
        AccountSid = accountSid;
        credentials = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{accountSid}:{authToken}")));
    }

    public string AccountSid { get; }

    /// <summary>The Messaging API: paths relative to <c>/2010-04-01/</c>.</summary>
    public static TwilioRest For(IHttpClientFactory clients, Channel channel, JsonObject secrets) =>
        Create(clients, channel, secrets, DefaultBaseUrl, "2010-04-01/");

    /// <summary>The Content API: paths relative to <c>/v1/</c> (<c>Content</c>, <c>Content/{sid}/ApprovalRequests</c>).</summary>
    public static TwilioRest ForContent(IHttpClientFactory clients, Channel channel, JsonObject secrets) =>
        Create(clients, channel, secrets, DefaultContentBaseUrl, "v1/");

    private static TwilioRest Create(IHttpClientFactory clients, Channel channel, JsonObject secrets, string defaultBaseUrl, string version) =>
        new(clients.CreateClient(ChannelConnectionTester.HttpClientName),
            $"{(channel.Settings["apiBaseUrl"]?.GetValue<string>() is { Length: > 0 } configured ? configured : defaultBaseUrl).TrimEnd('/')}/{version}",
            channel.Settings["accountSid"]?.GetValue<string>() ?? "", secrets["authToken"]?.GetValue<string>() ?? "");

    /// <summary>The path of a resource of this account, relative to the API root: <c>Account("/Messages.json")</c>.</summary>
    public string Account(string suffix) => $"Accounts/{Uri.EscapeDataString(AccountSid)}{suffix}";

    /// <summary>A request for <paramref name="path"/> under the API root, or for an absolute URL Twilio gave (a MediaUrl, a
    /// next page).</summary>
    public HttpRequestMessage Request(HttpMethod method, string path, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path.StartsWith("http", StringComparison.Ordinal) ? path : apiRoot + path) { Content = content };
        request.Headers.Authorization = credentials;
        return request;
    }

    /// <summary>Sends, without following redirects (the client is the outbound guard's).</summary>
    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);

    /// <summary>Downloads a MediaUrl. Twilio answers it with a redirect to its storage, followed here once, without the
    /// account's credentials, and through the same guarded client as any other connection.</summary>
    public async Task<HttpResponseMessage> DownloadAsync(string mediaUrl, CancellationToken cancellationToken)
    {
        var request = Request(HttpMethod.Get, mediaUrl);
        var response = await SendAsync(request, cancellationToken);
        if ((int)response.StatusCode is < 300 or >= 400 || response.Headers.Location is not { } location)
            return response;
        response.Dispose();
        return await SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(request.RequestUri!, location)), cancellationToken);
    }

    /// <summary>Twilio's error body: <c>{"code":21211,"message":"...","more_info":"...","status":400}</c>.</summary>
    public static async Task<(string Code, string Message)> ErrorOfAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
        try
        {
            var error = await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken);
            return (error?["code"]?.ToString() ?? status, error?["message"]?.GetValue<string>() ?? response.ReasonPhrase ?? "");
        }
        catch (JsonException)
        {
            return (status, response.ReasonPhrase ?? "");
        }
    }

    /// <summary>A number as Twilio addresses it on this channel: E.164 for SMS, <c>whatsapp:</c> + E.164 for WhatsApp.</summary>
    public static string Address(ChannelType type, string e164) => type == ChannelType.TwilioWhatsApp ? WhatsAppPrefix + e164 : e164;
}
