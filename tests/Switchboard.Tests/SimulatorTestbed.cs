using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Switchboard.Simulator;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests;

/// <summary>A simulator with a WhatsApp number and a Twilio account whose webhooks go to a <see cref="WebhookReceiver"/>,
/// with short status delays so the tests stay fast.</summary>
public sealed class SimulatorTestbed : IAsyncDisposable
{
    public const string PhoneNumberId = "106540352242922";
    public const string BusinessAccountId = "419561257915477";
    public const string AccessToken = "meta-token";
    public const string AppSecret = "meta-app-secret";
    public const string AccountSid = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    public const string AuthToken = "twilio-auth-token";
    public const string SmsNumber = "+15550001000";
    public const string WhatsAppNumber = "whatsapp:+15550002000";

    private SimulatorTestbed(SimulatorHost simulator, WebhookReceiver receiver)
    {
        Simulator = simulator;
        Receiver = receiver;
        Meta = simulator.CreateClient();
        Meta.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AccessToken);
        Twilio = simulator.CreateClient();
        Twilio.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{AccountSid}:{AuthToken}")));
        Control = simulator.CreateClient();
    }

    public SimulatorHost Simulator { get; }
    public WebhookReceiver Receiver { get; }

    /// <summary>Authenticated as the WhatsApp number (bearer token).</summary>
    public HttpClient Meta { get; }

    /// <summary>Authenticated as the Twilio account (basic auth).</summary>
    public HttpClient Twilio { get; }

    /// <summary>For <c>/_simulator</c>, which needs no credentials.</summary>
    public HttpClient Control { get; }

    public static async Task<SimulatorTestbed> StartAsync(string prefix = "")
    {
        var simulator = await SimulatorHost.StartAsync(prefix);
        var receiver = await WebhookReceiver.StartAsync();
        simulator.Accounts.Add(new MetaPhoneNumber(PhoneNumberId, AccessToken, "+1 555-078-3881", "Acme Support")
        {
            AppSecret = AppSecret, BusinessAccountId = BusinessAccountId, WebhookUrl = receiver.Url("/meta"),
        });
        simulator.Accounts.Add(new TwilioAccount(AccountSid, AuthToken, "Acme") { Numbers = [SmsNumber, WhatsAppNumber], InboundWebhookUrl = receiver.Url("/twilio/inbound") });
        var fast = Behaviour.Default with { StatusDelay = TimeSpan.FromMilliseconds(20), WebhookRetryDelay = TimeSpan.FromMilliseconds(50), TemplateReviewDelay = TimeSpan.FromMilliseconds(50) };
        simulator.Behaviours.Set(SimulatedProvider.WhatsApp, PhoneNumberId, fast);
        simulator.Behaviours.Set(SimulatedProvider.Twilio, AccountSid, fast);
        return new SimulatorTestbed(simulator, receiver);
    }

    public void Behave(SimulatedProvider provider, Func<Behaviour, Behaviour> change) =>
        Simulator.Behaviours.Update(provider, provider == SimulatedProvider.WhatsApp ? PhoneNumberId : AccountSid, change);

    /// <summary>Independent of the simulator: lowercase hex HMAC-SHA256 of the raw body under the app secret.</summary>
    public static void AssertMetaSignature(WebhookReceiver.Request webhook) =>
        Assert.Equal("sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(AppSecret), webhook.RawBody)), webhook.Headers["X-Hub-Signature-256"]);

    /// <summary>Independent of the simulator: Base64 HMAC-SHA1 of the URL and the sorted form fields under the auth token.</summary>
    public static void AssertTwilioSignature(WebhookReceiver.Request webhook)
    {
        var data = webhook.Url + string.Concat(webhook.Form.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + p.Value));
        Assert.Equal(Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(AuthToken), Encoding.UTF8.GetBytes(data))), webhook.Headers["X-Twilio-Signature"]);
    }

    public async ValueTask DisposeAsync()
    {
        Meta.Dispose();
        Twilio.Dispose();
        Control.Dispose();
        await Simulator.DisposeAsync();
        await Receiver.DisposeAsync();
    }
}

public static class SimulatorHttp
{
    public static async Task<JsonObject> PutJsonAsync(this HttpClient client, string url, object body, System.Net.HttpStatusCode expected = System.Net.HttpStatusCode.OK) =>
        await (await System.Net.Http.Json.HttpClientJsonExtensions.PutAsJsonAsync(client, url, body, Http.Json)).JsonAsync(expected);

    public static async Task<JsonObject> PostFormAsync(this HttpClient client, string url, System.Net.HttpStatusCode expected, params (string Key, string Value)[] fields) =>
        await (await client.PostAsync(url, new FormUrlEncodedContent(fields.Select(f => KeyValuePair.Create(f.Key, f.Value))))).JsonAsync(expected);
}
