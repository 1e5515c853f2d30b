using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Platform.Database;
using Switchboard.Platform.Network;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests;

/// <summary>Server-side request forgery: every connection to a host a tenant chose (webhooks, a channel's apiBaseUrl, SMTP)
/// passes the outbound guard. These servers run with no operator exception, as a default installation does, so the loopback
/// fakes below stand for the server's internal network; nothing here is sent off this machine.</summary>
public sealed class SecurityOutboundTests
{
    private static readonly Dictionary<string, string?> NoExceptions = new() { [SwitchboardFactory.OutboundExceptions] = null };

    /// <summary>Every spelling of an internal address a tenant might give a webhook, a provider base URL or an SMTP host.</summary>
    public static readonly string[] InternalHosts =
    [
        "127.0.0.1", "localhost", "api.localhost", "[::1]", "[::ffff:127.0.0.1]", "2130706433", "0.0.0.0", "127.1", "0x7f.1", "[::]",
        "10.0.0.7", "172.16.5.4", "172.31.255.255", "192.168.1.1", "100.64.0.1", "169.254.169.254", "[fe80::1]", "[fd00::1]", "[fc00::1]",
        "224.0.0.251", "[ff02::1]", "255.255.255.255", "[::127.0.0.1]", "[64:ff9b::7f00:1]", "[2002:a9fe:a9fe::1]",
    ];

    private static async Task<(SwitchboardFactory Factory, TestDatabase Database)> ServerAsync(Dictionary<string, string?>? settings = null)
    {
        var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        return (new SwitchboardFactory(database, settings ?? NoExceptions), database);
    }

    private static string Error(JsonObject problem, string field) => problem["errors"]![field]![0]!.GetValue<string>();

    [Fact]
    public void OnlyPublicAddresses_AreAllowed_InEveryForm()
    {
        var guard = new OutboundGuard(new OutboundNetworkOptions());
        foreach (var address in new[]
                 {
                     "127.0.0.1", "127.255.255.254", "0.0.0.0", "0.1.2.3", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "100.64.0.1",
                     "169.254.169.254", "192.0.0.8", "192.0.2.1", "198.18.0.1", "198.51.100.1", "203.0.113.1", "224.0.0.1", "239.255.255.250",
                     "240.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fec0::1", "fc00::1", "fd00::1", "ff02::1", "ff0e::1",
                     "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1", "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe",
                     "64:ff9b:1::1", "2002:7f00:1::1", "2002:c0a8:101::1", "2001::1", "2001:db8::1", "100::1",
                 })
            Assert.False(guard.IsAllowed(IPAddress.Parse(address), 443), address);
        foreach (var address in new[]
                 {
                     "8.8.8.8", "93.184.216.34", "172.32.0.1", "100.128.0.1", "192.169.0.1", "2606:4700::1111", "2a00:1450:4001::200e",
                     "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1",
                 })
            Assert.True(guard.IsAllowed(IPAddress.Parse(address), 443), address);
    }

    [Fact]
    public void TheOperatorsExceptions_OpenTheirNetworksOnly()
    {
        var guard = new OutboundGuard(new OutboundNetworkOptions { AllowedOutboundNetworks = ["127.0.0.0/8", "fd00::/8", "192.168.7.10"] });
        foreach (var address in new[] { "127.0.0.1", "127.9.9.9", "::ffff:127.0.0.1", "fd12::1", "192.168.7.10" })
            Assert.True(guard.IsAllowed(IPAddress.Parse(address), 80), address);
        foreach (var address in new[] { "10.0.0.1", "::1", "fc00::1", "192.168.7.11", "169.254.169.254" })
            Assert.False(guard.IsAllowed(IPAddress.Parse(address), 80), address);

        foreach (var wrong in new[] { "10.0.0.0/33", "intranet" })
        {
            var refused = Assert.Throws<InvalidOperationException>(() => new OutboundGuard(new OutboundNetworkOptions { AllowedOutboundNetworks = [wrong] }));
            Assert.Contains("Network:AllowedOutboundNetworks", refused.Message);
        }
    }

    [Fact]
    public async Task Webhooks_ToAnInternalAddress_AreRefused_WhenSubscribingAndWhenConnecting()
    {
        var (factory, database) = await ServerAsync();
        await using var _ = database;
        await using var __ = factory;
        var tenant = await factory.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var port = new Uri(receiver.BaseUrl).Port;
        foreach (var host in InternalHosts)
        {
            var problem = await tenant.Owner.PostJsonAsync("/api/v1/webhooks", new { url = $"http://{host}:{port}/internal" }, HttpStatusCode.BadRequest);
            Assert.True(Error(problem, "url") == DestinationNotAllowedException.Text, $"{host}: {problem.ToJsonString()}");
        }
        Assert.Empty(await factory.QueryAsync(tenant.Id, db => db.WebhookSubscriptions.ToListAsync()));
        var existing = (await tenant.Owner.PostJsonAsync("/api/v1/webhooks", new { url = "https://hooks.example.com/switchboard" }, HttpStatusCode.Created)).Id();
        var update = await tenant.Owner.PatchJsonAsync($"/api/v1/webhooks/{existing}", new { url = receiver.Url("/internal") }, HttpStatusCode.BadRequest);
        Assert.Equal(DestinationNotAllowedException.Text, Error(update, "url"));

        // A name resolving inside (as a tenant's own DNS name could) passes the form check, so the connection decides: the
        // receiver hears nothing, and the log says no more than that, for a listening port and a closed one alike.
        foreach (var url in new[] { $"http://localhost:{port}/internal", receiver.Url("/internal"), "http://127.0.0.1:9/internal" })
        {
            var id = await factory.InTenantAsync(tenant.Id, async services =>
            {
                var db = services.GetRequiredService<SwitchboardDbContext>();
                var subscription = new Switchboard.Webhooks.WebhookSubscription { Url = url, CreatedAt = factory.Clock.GetUtcNow(), UpdatedAt = factory.Clock.GetUtcNow() };
                db.WebhookSubscriptions.Add(subscription);
                await db.SaveChangesAsync();
                return subscription.Id;
            });
            var ping = await tenant.Owner.PostJsonAsync($"/api/v1/webhooks/{id}/test", new { }, HttpStatusCode.OK);
            Assert.False(ping["ok"]!.GetValue<bool>());
            Assert.Null(ping["responseStatus"]);
            Assert.Null(ping["responseBody"]);
            Assert.Equal(DestinationNotAllowedException.Text, ping["error"]!.GetValue<string>());
            var logged = Assert.Single((await tenant.Owner.GetJsonAsync($"/api/v1/webhooks/{id}/deliveries")).Items())!;
            Assert.Equal(DestinationNotAllowedException.Text, logged["error"]!.GetValue<string>());
        }
        Assert.Empty(receiver.Received("/internal"));
    }

    [Fact]
    public async Task AnExceptionForAnotherNetwork_LeavesLoopbackClosed_AndOneForLoopbackOpensIt()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (elsewhere, elsewhereDatabase) = await ServerAsync(new() { [$"{SwitchboardFactory.OutboundExceptions}:0"] = "10.0.0.0/8" });
        await using (elsewhereDatabase)
        await using (elsewhere)
        {
            var tenant = await elsewhere.CreateTenantAsync();
            var refused = await tenant.Owner.PostJsonAsync("/api/v1/webhooks", new { url = receiver.Url("/hook") }, HttpStatusCode.BadRequest);
            Assert.Equal(DestinationNotAllowedException.Text, Error(refused, "url"));
        }

        var (opened, openedDatabase) = await ServerAsync(new() { [$"{SwitchboardFactory.OutboundExceptions}:0"] = "127.0.0.0/8" });
        await using var _ = openedDatabase;
        await using var __ = opened;
        var owner = (await opened.CreateTenantAsync()).Owner;
        var webhook = (await owner.PostJsonAsync("/api/v1/webhooks", new { url = receiver.Url("/hook") }, HttpStatusCode.Created)).Id();
        var ping = await owner.PostJsonAsync($"/api/v1/webhooks/{webhook}/test", new { }, HttpStatusCode.OK);
        Assert.True(ping["ok"]!.GetValue<bool>(), ping.ToJsonString());
        Assert.Single(receiver.Received("/hook"));
    }

    [Fact]
    public async Task AChannelsApiBaseUrl_Inside_IsRefused_AndTheConnectionTestNeverReachesIt()
    {
        var (factory, database) = await ServerAsync();
        await using var _ = database;
        await using var __ = factory;
        var tenant = await factory.CreateTenantAsync();
        var hits = 0;
        await using var internalService = await LoopbackApp.StartAsync(app => app.Map("/{**path}", () =>
        {
            Interlocked.Increment(ref hits);
            return Results.Json(new { secret = "internal" });
        }));
        var port = new Uri(internalService.BaseUrl).Port;
        foreach (var host in InternalHosts)
        {
            var problem = await tenant.Owner.PostJsonAsync("/api/v1/channels", ChannelsTests.WhatsApp($"WA {Guid.NewGuid():N}", $"http://{host}:{port}"),
                HttpStatusCode.BadRequest);
            Assert.True(Error(problem, "settings.apiBaseUrl") == DestinationNotAllowedException.Text, $"{host}: {problem.ToJsonString()}");
        }

        var whatsapp = await tenant.Owner.PostJsonAsync("/api/v1/channels", ChannelsTests.WhatsApp(apiBaseUrl: "https://graph.example.com"), HttpStatusCode.Created);
        var twilio = await tenant.Owner.PostJsonAsync("/api/v1/channels", TwilioTests.Channel("https://api.example.com"), HttpStatusCode.Created);
        var patched = await tenant.Owner.PatchJsonAsync($"/api/v1/channels/{whatsapp.Id()}", new { settings = new { apiBaseUrl = internalService.BaseUrl } },
            HttpStatusCode.BadRequest);
        Assert.Equal(DestinationNotAllowedException.Text, Error(patched, "settings.apiBaseUrl"));
        var conversation = await MessagingTests.CustomerWritesAsync(tenant, whatsapp.Id(), "15550000177", "Ada", "Hello");
        foreach (var channelId in new[] { whatsapp.Id(), twilio.Id() })
        {
            await SetSettingsAsync(factory, tenant.Id, channelId, ("apiBaseUrl", $"http://localhost:{port}"));
            var test = await tenant.Owner.PostJsonAsync($"/api/v1/channels/{channelId}/test", new { }, HttpStatusCode.OK);
            Assert.False(test["ok"]!.GetValue<bool>());
            Assert.Equal(DestinationNotAllowedException.Text, test["detail"]!.GetValue<string>());
        }

        // A reply on that channel fails at once, for good, saying no more.
        var reply = (await tenant.Owner.PostJsonAsync($"/api/v1/conversations/{conversation}/messages", new { type = "text", text = "Hi" },
            HttpStatusCode.Accepted)).Id();
        await WhatsAppWebhookTests.WaitForAsync(factory, tenant.Id, async db => await db.Messages.AnyAsync(m => m.Id == reply && m.Status == Switchboard.Conversations.MessageStatus.Failed));
        var failed = await factory.QueryAsync(tenant.Id, db => db.Messages.SingleAsync(m => m.Id == reply));
        Assert.Equal(("destination_not_allowed", DestinationNotAllowedException.Text), (failed.ErrorCode, failed.ErrorMessage));
        Assert.Equal(0, hits);
    }

    [Fact]
    public async Task Smtp_IsSpokenOnlyOnSmtpPorts_AndNeverInside()
    {
        var (factory, database) = await ServerAsync();
        await using var _ = database;
        await using var __ = factory;
        var tenant = await factory.CreateTenantAsync();
        await using var smtp = new FakeSmtpServer();
        object Email(string host, int port) => new
        {
            type = "email", name = $"Mail {Guid.NewGuid():N}",
            settings = new { smtpHost = host, smtpPort = port, fromAddress = "help@example.com", inboundProvider = "postmark", postmarkUser = "u", postmarkPassword = "p" },
        };
        foreach (var host in InternalHosts.Append(smtp.Host))
        {
            var problem = await tenant.Owner.PostJsonAsync("/api/v1/channels", Email(host.Trim('[', ']'), 587), HttpStatusCode.BadRequest);
            Assert.True(Error(problem, "settings.smtpHost") == DestinationNotAllowedException.Text, $"{host}: {problem.ToJsonString()}");
        }
        var ssh = await tenant.Owner.PostJsonAsync("/api/v1/channels", Email("smtp.example.com", 22), HttpStatusCode.BadRequest);
        Assert.Equal("must be an SMTP port: 25, 465, 587, 2525.", Error(ssh, "settings.smtpPort"));

        // Settings stored before this check (or a name resolving inside) meet the guard when connecting. Port 22 is refused
        // before its host is even looked up.
        var channel = (await tenant.Owner.PostJsonAsync("/api/v1/channels", Email("smtp.example.com", 587), HttpStatusCode.Created)).Id();
        foreach (var (host, port) in new[] { (smtp.Host, smtp.Port), ("localhost", smtp.Port), ("smtp.example.com", 22) })
        {
            await SetSettingsAsync(factory, tenant.Id, channel, ("smtpHost", host), ("smtpPort", port));
            var test = await tenant.Owner.PostJsonAsync($"/api/v1/channels/{channel}/test", new { }, HttpStatusCode.OK);
            Assert.False(test["ok"]!.GetValue<bool>());
            Assert.Equal(DestinationNotAllowedException.Text, test["detail"]!.GetValue<string>());
        }
        Assert.Equal(0, smtp.Connections);
    }

    [Fact]
    public async Task TheSmtpTest_DoesNotReadOutAnotherServicesBanner()
    {
        var (factory, database) = await ServerAsync(new() { [$"{SwitchboardFactory.OutboundExceptions}:0"] = "127.0.0.0/8" });
        await using var _ = database;
        await using var __ = factory;
        var tenant = await factory.CreateTenantAsync();
        await using var ssh = new FakeSmtpServer { Greeting = "SSH-2.0-OpenSSH_9.6p1 Debian-4" };
        var channel = await tenant.Owner.PostJsonAsync("/api/v1/channels", new
        {
            type = "email", name = "Mail",
            settings = new { smtpHost = ssh.Host, smtpPort = ssh.Port, fromAddress = "help@example.com", inboundProvider = "postmark", postmarkUser = "u", postmarkPassword = "p" },
        }, HttpStatusCode.Created);
        var test = await tenant.Owner.PostJsonAsync($"/api/v1/channels/{channel.Id()}/test", new { }, HttpStatusCode.OK);
        Assert.False(test["ok"]!.GetValue<bool>());
        Assert.Equal(1, ssh.Connections);
        Assert.DoesNotContain("SSH", test["detail"]!.GetValue<string>());
        Assert.Contains("not as an SMTP server", test["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task ProviderCalls_DoNotFollowRedirects()
    {
        var (factory, database) = await ServerAsync(new() { [$"{SwitchboardFactory.OutboundExceptions}:0"] = "127.0.0.0/8" });
        await using var _ = database;
        await using var __ = factory;
        var tenant = await factory.CreateTenantAsync();
        var reached = 0;
        await using var target = await LoopbackApp.StartAsync(app => app.Map("/{**path}", () =>
        {
            Interlocked.Increment(ref reached);
            return Results.Json(new { display_phone_number = "+1 555-0100", verified_name = "Redirected" });
        }));
        await using var bouncer = await LoopbackApp.StartAsync(app => app.Map("/{**path}", (HttpContext context) =>
            Results.Redirect(target.BaseUrl + context.Request.Path, permanent: false, preserveMethod: true)));
        var channel = await tenant.Owner.PostJsonAsync("/api/v1/channels", ChannelsTests.WhatsApp(apiBaseUrl: bouncer.BaseUrl), HttpStatusCode.Created);
        var test = await tenant.Owner.PostJsonAsync($"/api/v1/channels/{channel.Id()}/test", new { }, HttpStatusCode.OK);
        Assert.False(test["ok"]!.GetValue<bool>(), test.ToJsonString());
        Assert.Equal(0, reached);
    }

    /// <summary>Writes channel settings straight to the database, past the API's input check, as settings saved before it
    /// (or a host name that later resolves inside) would be.</summary>
    private static Task SetSettingsAsync(SwitchboardFactory factory, long tenantId, long channelId, params (string Name, JsonNode Value)[] values) =>
        factory.InTenantAsync(tenantId, async services =>
        {
            var db = services.GetRequiredService<SwitchboardDbContext>();
            var channel = await db.Channels.SingleAsync(c => c.Id == channelId);
            var settings = (JsonObject)channel.Settings.DeepClone();
            foreach (var (name, value) in values)
                settings[name] = value;
            channel.Settings = settings;
            return await db.SaveChangesAsync();
        });
}
