using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Simulator;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests;

/// <summary>A webhook as the receiver got it: the URL it was posted to, its headers and its raw body.</summary>
public sealed record ReceivedWebhook(string Path, string Url, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string Text => Encoding.UTF8.GetString(Body);
    public JsonObject Json => JsonNode.Parse(Body)!.AsObject();
    public Dictionary<string, string> Form => QueryHelpers.ParseQuery(Text).ToDictionary(p => p.Key, p => p.Value.ToString());

    /// <summary>The one status of a Cloud API status webhook.</summary>
    public JsonObject MetaStatus => Json["entry"]![0]!["changes"]![0]!["value"]!["statuses"]![0]!.AsObject();
}

/// <summary>The business side in the tests: a small server that records every POST and answers 200, or 500 for the
/// next <see cref="FailNext"/> requests.</summary>
public sealed class ProviderWebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly Lock gate = new();
    private readonly List<ReceivedWebhook> received = [];
    private int failNext;

    private ProviderWebhookReceiver(WebApplication app, string baseUrl)
    {
        this.app = app;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    public int FailNext
    {
        set => Interlocked.Exchange(ref failNext, value);
    }

    public string Url(string path) => BaseUrl + path;

    public static async Task<ProviderWebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        ProviderWebhookReceiver? receiver = null;
        app.MapPost("/{**path}", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            if (Interlocked.Decrement(ref receiver!.failNext) >= 0)
                return Results.StatusCode(500);
            var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            lock (receiver.gate)
                receiver.received.Add(new ReceivedWebhook(request.Path, $"{receiver.BaseUrl}{request.Path}{request.QueryString}", headers, body.ToArray()));
            return Results.Ok();
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return receiver = new ProviderWebhookReceiver(app, address);
    }

    public IReadOnlyList<ReceivedWebhook> Received(string path)
    {
        lock (gate)
            return received.Where(r => r.Path == path).ToArray();
    }

    /// <summary>The first <paramref name="count"/> webhooks posted to <paramref name="path"/>, waiting up to 5 s for them.</summary>
    public async Task<IReadOnlyList<ReceivedWebhook>> WaitAsync(string path, int count = 1)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (Received(path).Count < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Expected {count} webhooks on {path}, got {Received(path).Count}");
            await Task.Delay(20);
        }
        return Received(path).Take(count).ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

/// <summary>A simulator with a WhatsApp number and a Twilio account whose webhooks go to a <see cref="ProviderWebhookReceiver"/>,
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

    private SimulatorTestbed(SimulatorHost simulator, ProviderWebhookReceiver receiver)
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
    public ProviderWebhookReceiver Receiver { get; }

    /// <summary>Authenticated as the WhatsApp number (bearer token).</summary>
    public HttpClient Meta { get; }

    /// <summary>Authenticated as the Twilio account (basic auth).</summary>
    public HttpClient Twilio { get; }

    /// <summary>For <c>/_simulator</c>, which needs no credentials.</summary>
    public HttpClient Control { get; }

    public static async Task<SimulatorTestbed> StartAsync(string prefix = "")
    {
        var simulator = await SimulatorHost.StartAsync(prefix);
        var receiver = await ProviderWebhookReceiver.StartAsync();
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
    public static void AssertMetaSignature(ReceivedWebhook webhook) =>
        Assert.Equal("sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(AppSecret), webhook.Body)), webhook.Headers["X-Hub-Signature-256"]);

    /// <summary>Independent of the simulator: Base64 HMAC-SHA1 of the URL and the sorted form fields under the auth token.</summary>
    public static void AssertTwilioSignature(ReceivedWebhook webhook)
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
