using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Platform.Database;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests;

[Collection(ServerCollection.Name)]
public sealed class ChannelsTests(Servers servers)
{
    /// <summary>A WhatsApp channel; <paramref name="apiBaseUrl"/> points it at the simulator (or nowhere) instead of Meta.</summary>
    internal static object WhatsApp(string name = "Support line", string? apiBaseUrl = null, string phoneNumberId = "106540352242922") => new
    {
        type = "whatsapp",
        name,
        settings = new Dictionary<string, string>
        {
            ["phoneNumberId"] = phoneNumberId, ["businessAccountId"] = "419561257915477", ["displayPhoneNumber"] = "+15550783881",
            ["accessToken"] = "EAAG-secret-token", ["appSecret"] = "app-secret-value", ["verifyToken"] = "verify-me",
            ["apiBaseUrl"] = apiBaseUrl ?? "",
        }.Where(s => s.Value.Length > 0).ToDictionary(),
    };

    [Theory, Providers]
    public async Task AChannel_KeepsItsSecretsEncrypted_AndNeverReturnsThem(DatabaseProvider provider)
    {
        var tenant = await (await servers.ForAsync(provider)).CreateTenantAsync();
        var created = await tenant.Owner.PostJsonAsync("/api/v1/channels", WhatsApp(), HttpStatusCode.Created);
        Assert.Equal("whatsapp", created["type"]!.GetValue<string>());
        Assert.Equal(["accessToken", "appSecret", "verifyToken"], created["secretsSet"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.EndsWith($"/webhooks/whatsapp/{created.Id()}", created["webhookUrls"]!["inbound"]!.GetValue<string>());
        Assert.Equal("106540352242922", created["settings"]!["phoneNumberId"]!.GetValue<string>());

        foreach (var body in new[] { created.ToJsonString(), await tenant.Owner.GetStringAsync("/api/v1/channels"), await tenant.Owner.GetStringAsync($"/api/v1/channels/{created.Id()}") })
            Assert.DoesNotContain("secret", body.Replace("secretsSet", "", StringComparison.Ordinal));
        var stored = await tenant.Factory.InTenantAsync(tenant.Id, services => services.GetRequiredService<SwitchboardDbContext>()
            .Channels.Where(c => c.Id == created.Id()).Select(c => new { c.SecretsCiphertext, Settings = c.Settings.ToJsonString() }).SingleAsync());
        Assert.DoesNotContain("EAAG-secret-token", stored.SecretsCiphertext);
        Assert.DoesNotContain("EAAG-secret-token", stored.Settings);

        // A change that leaves the secrets out keeps them; a required one cannot be removed.
        var renamed = await tenant.Owner.PatchJsonAsync($"/api/v1/channels/{created.Id()}", new { name = "Sales line", settings = new { displayPhoneNumber = "+15550783882" } }, HttpStatusCode.OK);
        Assert.Equal(3, renamed["secretsSet"]!.AsArray().Count);
        Assert.Equal("+15550783882", renamed["settings"]!["displayPhoneNumber"]!.GetValue<string>());
        var removal = await tenant.Owner.PatchJsonAsync($"/api/v1/channels/{created.Id()}", new { settings = new { accessToken = (string?)null } }, HttpStatusCode.BadRequest);
        Assert.Contains("settings.accessToken", removal["errors"]!.AsObject().Select(e => e.Key));

        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Owner.DeleteAsync($"/api/v1/channels/{created.Id()}")).StatusCode);
        Assert.Empty((await tenant.Owner.GetJsonAsync("/api/v1/channels")).Items());
    }

    [Theory, Providers]
    public async Task ChannelSettings_AreCheckedPerType(DatabaseProvider provider)
    {
        var tenant = await (await servers.ForAsync(provider)).CreateTenantAsync();
        var api = tenant.Owner;
        var twilio = await api.PostJsonAsync("/api/v1/channels", new { type = "twilio_sms", name = "SMS", settings = new { accountSid = "AC123", authToken = "t" } }, HttpStatusCode.BadRequest);
        Assert.Equal(["settings.accountSid", "settings.fromNumber"], twilio["errors"]!.AsObject().Select(e => e.Key).Order());
        await api.PostJsonAsync("/api/v1/channels", new
        {
            type = "twilio_sms", name = "SMS",
            settings = new { accountSid = "AC" + new string('a', 32), authToken = "t", messagingServiceSid = "MG" + new string('b', 32) },
        }, HttpStatusCode.Created);

        var email = await api.PostJsonAsync("/api/v1/channels", new
        {
            type = "email", name = "Mail", settings = new { smtpHost = "smtp.example.com", smtpPort = 70000, fromAddress = "help@example.com", inboundProvider = "mailgun", colour = "red" },
        }, HttpStatusCode.BadRequest);
        Assert.Equal(["settings.colour", "settings.mailgunSigningKey", "settings.smtpPort"], email["errors"]!.AsObject().Select(e => e.Key).Order());

        var webchat = await api.PostJsonAsync("/api/v1/channels", new
        {
            type = "webchat", name = "Site", settings = new { allowedOrigins = new[] { "https://www.example.com/path" }, primaryColor = "#12345" },
        }, HttpStatusCode.BadRequest);
        Assert.Equal(["settings.allowedOrigins", "settings.primaryColor"], webchat["errors"]!.AsObject().Select(e => e.Key).Order());
        var widget = await api.PostJsonAsync("/api/v1/channels", new
        {
            type = "webchat", name = "Site", settings = new { allowedOrigins = new[] { "https://www.example.com", "http://localhost:3000" }, greeting = "Hi!" },
        }, HttpStatusCode.Created);
        Assert.Empty(widget["secretsSet"]!.AsArray());

        var unknown = await (await api.PostAsync("/api/v1/channels", Http.RawJson("{\"type\":\"fax\",\"name\":\"x\"}"))).JsonAsync(HttpStatusCode.BadRequest);
        Assert.Contains("$.type", unknown["detail"]!.GetValue<string>());
        await api.PostJsonAsync("/api/v1/channels", WhatsApp("Site"), HttpStatusCode.Conflict);
        Assert.Equal(2, (await api.GetJsonAsync("/api/v1/channels")).Items().Count);
    }

    [Theory, Providers]
    public async Task AChannel_RoutesToDepartments_OfItsOwnTenantOnly(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var other = await factory.CreateTenantAsync();
        var sales = await tenant.Owner.PostJsonAsync("/api/v1/departments", new { name = "Sales" }, HttpStatusCode.Created);
        var theirs = await other.Owner.PostJsonAsync("/api/v1/departments", new { name = "Theirs" }, HttpStatusCode.Created);
        var channel = await tenant.Owner.PostJsonAsync("/api/v1/channels", WhatsApp(), HttpStatusCode.Created);
        var routed = await tenant.Owner.PatchJsonAsync($"/api/v1/channels/{channel.Id()}", new { departmentIds = new[] { sales.Id() } }, HttpStatusCode.OK);
        Assert.Equal([sales.Id()], routed["departmentIds"]!.AsArray().Select(d => d!.GetValue<long>()));
        await tenant.Owner.PatchJsonAsync($"/api/v1/channels/{channel.Id()}", new { departmentIds = new[] { theirs.Id() } }, HttpStatusCode.BadRequest);
    }
}

[Collection(ServerCollection.Name)]
public sealed class ChannelConnectionTests(Servers servers)
{
    [Theory, Providers]
    public async Task TestingAConnection_AsksTheProvider_AndPassesOnItsAnswer(DatabaseProvider provider)
    {
        await using var simulator = await SimulatorHost.StartAsync();
        simulator.Accounts.Add(new Switchboard.Simulator.MetaPhoneNumber("106540352242922", "good-token", "+1 555-078-3881", "Acme Support"));
        var sid = "AC" + new string('c', 32);
        simulator.Accounts.Add(new Switchboard.Simulator.TwilioAccount(sid, "good-auth", "Acme SMS"));
        var tenant = await (await servers.ForAsync(provider)).CreateTenantAsync();
        var api = tenant.Owner;

        var whatsapp = await api.PostJsonAsync("/api/v1/channels", new
        {
            type = "whatsapp", name = "WA",
            settings = new { phoneNumberId = "106540352242922", businessAccountId = "419561257915477", accessToken = "good-token", appSecret = "s", verifyToken = "v", apiBaseUrl = simulator.BaseUrl },
        }, HttpStatusCode.Created);
        var ok = await api.PostJsonAsync($"/api/v1/channels/{whatsapp.Id()}/test", new { }, HttpStatusCode.OK);
        Assert.True(ok["ok"]!.GetValue<bool>(), ok.ToJsonString());
        Assert.Contains("Acme Support", ok["detail"]!.GetValue<string>());

        await api.PatchJsonAsync($"/api/v1/channels/{whatsapp.Id()}", new { settings = new { accessToken = "expired-token" } }, HttpStatusCode.OK);
        var refused = await api.PostJsonAsync($"/api/v1/channels/{whatsapp.Id()}/test", new { }, HttpStatusCode.OK);
        Assert.False(refused["ok"]!.GetValue<bool>());
        Assert.Contains("(#190) Invalid OAuth access token", refused["detail"]!.GetValue<string>());

        var twilio = await api.PostJsonAsync("/api/v1/channels", new
        {
            type = "twilio_sms", name = "SMS", settings = new { accountSid = sid, authToken = "wrong", fromNumber = "+15550001111", apiBaseUrl = simulator.BaseUrl },
        }, HttpStatusCode.Created);
        var twilioRefused = await api.PostJsonAsync($"/api/v1/channels/{twilio.Id()}/test", new { }, HttpStatusCode.OK);
        Assert.Contains("Twilio answered 401: Authenticate (20003)", twilioRefused["detail"]!.GetValue<string>());
        await api.PatchJsonAsync($"/api/v1/channels/{twilio.Id()}", new { settings = new { authToken = "good-auth" } }, HttpStatusCode.OK);
        var twilioOk = await api.PostJsonAsync($"/api/v1/channels/{twilio.Id()}/test", new { }, HttpStatusCode.OK);
        Assert.True(twilioOk["ok"]!.GetValue<bool>(), twilioOk.ToJsonString());

        var unreachable = await api.PostJsonAsync("/api/v1/channels", new
        {
            type = "email", name = "Mail", settings = new { smtpHost = "127.0.0.1", smtpPort = 2525, fromAddress = "help@example.com", inboundProvider = "postmark", postmarkUser = "u", postmarkPassword = "p" },
        }, HttpStatusCode.Created);
        var down = await api.PostJsonAsync($"/api/v1/channels/{unreachable.Id()}/test", new { }, HttpStatusCode.OK);
        Assert.False(down["ok"]!.GetValue<bool>());
        Assert.Contains("Could not reach", down["detail"]!.GetValue<string>());
    }
}

/// <summary>The channel cache behind the anonymous provider webhooks, where anyone can name any channel id.</summary>
public sealed class WebhookChannelCacheTests
{
    [Fact]
    public async Task UnknownChannels_AreNotKept_AndKnownOnesOnlyUpToTheLimit()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var factory = new SwitchboardFactory(database, new Dictionary<string, string?> { ["Webhooks:Processing:ChannelCacheSize"] = "2" });
        var cache = factory.Services.GetRequiredService<Switchboard.Channels.WebhookChannelCache>();
        var anonymous = factory.CreateClient();
        for (var id = 1_000_000; id < 1_000_050; id++)
            Assert.Equal(HttpStatusCode.NotFound, (await anonymous.PostAsync($"/webhooks/whatsapp/{id}", Http.RawJson("{}"))).StatusCode);
        Assert.Equal(0, cache.Count);

        var tenant = await factory.CreateTenantAsync();
        var channels = new List<long>();
        for (var i = 0; i < 5; i++)
            channels.Add((await tenant.Owner.PostJsonAsync("/api/v1/channels", ChannelsTests.WhatsApp($"WA {i}", MessagingTests.Nowhere), HttpStatusCode.Created)).Id());
        foreach (var id in channels.Concat(channels))
        {
            // Each is still found (looked up again when it is not held), and signature checks still run against its secrets.
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync($"/webhooks/whatsapp/{id}", Http.RawJson("{}"))).StatusCode);
            Assert.InRange(cache.Count, 0, 2);
        }
    }
}
