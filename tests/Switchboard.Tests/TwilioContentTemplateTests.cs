using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Conversations;
using Switchboard.Platform.Database;
using Switchboard.Simulator;
using Switchboard.Tests.Infrastructure;
using static Switchboard.Tests.TwilioTests;

namespace Switchboard.Tests;

/// <summary>Twilio Content templates on <c>twilio_whatsapp</c> channels (docs/providers.md): registered by Content SID or
/// synced from Twilio's Content API, and sent as <c>ContentSid</c> + <c>ContentVariables</c> once the WhatsApp window has
/// closed. Twilio is the provider simulator, over real HTTP.</summary>
[Collection(ServerCollection.Name)]
public sealed class TwilioContentTemplateTests(Servers servers)
{
    private static readonly string OrderUpdate = ContentStore.SeededSid(FakeTwilio.AccountSid, "order_update");

    private static object Registration(string contentSid, string name = "order_update", string language = "en",
        string body = "Hi {{1}}, your order {{2}} has shipped.", string? category = "UTILITY") =>
        new { contentSid, name, language, body, category };

    /// <summary>A simulator playing the channel's Twilio account, with its WhatsApp sender.</summary>
    private static async Task<SimulatorHost> TwilioAsync()
    {
        var simulator = await SimulatorHost.StartAsync();
        simulator.Accounts.Add(new TwilioAccount(FakeTwilio.AccountSid, FakeTwilio.AuthToken, "Acme") { Numbers = ["whatsapp:" + FromNumber] });
        return simulator;
    }

    /// <summary>A customer's WhatsApp message, as Twilio posts it, 25 hours ago: the conversation's window has closed.</summary>
    private static async Task<long> CustomerWroteYesterdayAsync(TenantHandle tenant, long channelId)
    {
        var sid = "SM" + Guid.NewGuid().ToString("N");
        (string, string)[] fields =
        [
            ("MessageSid", sid), ("SmsMessageSid", sid), ("AccountSid", FakeTwilio.AccountSid), ("From", "whatsapp:" + Customer), ("To", "whatsapp:" + FromNumber),
            ("Body", "Where is my order?"), ("NumMedia", "0"), ("ProfileName", "Sheena Nelson"), ("WaId", Customer.TrimStart('+')), ("SmsStatus", "received"),
        ];
        Assert.Equal(HttpStatusCode.OK, (await tenant.Factory.CreateClient().SendAsync(Signed(channelId, fields))).StatusCode);
        await WhatsAppWebhookTests.WaitForAsync(tenant.Factory, tenant.Id, async db => await db.Conversations.AnyAsync(c => c.ChannelId == channelId));
        var yesterday = tenant.Factory.Clock.GetUtcNow().AddHours(-1);
        return await tenant.Factory.QueryAsync(tenant.Id, async db =>
        {
            await db.Conversations.Where(c => c.ChannelId == channelId).ExecuteUpdateAsync(s => s.SetProperty(c => c.WindowExpiresAt, yesterday));
            return await db.Conversations.Where(c => c.ChannelId == channelId).Select(c => c.Id).SingleAsync();
        });
    }

    private static object Template(string name, params string[] parameters) => new { type = "template", template = new { name, language = "en", parameters } };

    [Theory, Providers]
    public async Task ContentTemplates_AreRegisteredByContentSid_AndBadRegistrationsAreRefusedFieldByField(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var channel = await tenant.Owner.PostJsonAsync("/api/v1/channels", Channel("http://127.0.0.1:9", "twilio_whatsapp"), HttpStatusCode.Created);
        var templates = $"/api/v1/channels/{channel.Id()}/templates";

        var empty = await tenant.Owner.PostJsonAsync(templates, new { }, HttpStatusCode.BadRequest);
        Assert.Equal(["body", "contentSid", "language", "name"], empty["errors"]!.AsObject().Select(e => e.Key).Order());
        var bad = await tenant.Owner.PostJsonAsync(templates,
            new { contentSid = "HX123", name = "order_update", language = "English", body = "Hi {{1}}, your order {{3}} has shipped.", category = "promotional" },
            HttpStatusCode.BadRequest);
        Assert.Equal(["body", "category", "contentSid", "language"], bad["errors"]!.AsObject().Select(e => e.Key).Order());
        Assert.Contains("HX followed by 32 hex digits", bad["errors"]!["contentSid"]![0]!.GetValue<string>());
        Assert.Contains("{{1}}, {{2}}", bad["errors"]!["body"]![0]!.GetValue<string>());
        // A Messaging Service SID is not a Content SID.
        var service = await tenant.Owner.PostJsonAsync(templates, Registration("MG" + new string('a', 32)), HttpStatusCode.BadRequest);
        Assert.Equal(["contentSid"], service["errors"]!.AsObject().Select(e => e.Key));

        var created = await tenant.Owner.PostJsonAsync(templates, Registration(OrderUpdate), HttpStatusCode.Created);
        Assert.Equal((OrderUpdate, "order_update", "en", 2, "APPROVED", "utility"),
            (created["providerTemplateId"]!.GetValue<string>(), created["name"]!.GetValue<string>(), created["language"]!.GetValue<string>(),
                created["parameterCount"]!.GetValue<int>(), created["status"]!.GetValue<string>(), created["category"]!.GetValue<string>()));
        var plain = await tenant.Owner.PostJsonAsync(templates,
            Registration("HX" + new string('b', 32), name: "thanks", body: "Thanks for your order!", category: null), HttpStatusCode.Created);
        Assert.Equal((0, "marketing"), (plain["parameterCount"]!.GetValue<int>(), plain["category"]!.GetValue<string>()));

        var sameSid = await tenant.Owner.PostJsonAsync(templates, Registration(OrderUpdate, name: "order_update_again"), HttpStatusCode.Conflict);
        Assert.Equal(created.Id(), sameSid["existingId"]!.GetValue<long>());
        var sameName = await tenant.Owner.PostJsonAsync(templates, Registration("HX" + new string('c', 32)), HttpStatusCode.Conflict);
        Assert.Equal(created.Id(), sameName["existingId"]!.GetValue<long>());

        var listed = (await tenant.Owner.GetJsonAsync($"/api/v1/message-templates?channelId={channel.Id()}")).Items();
        Assert.Equal(["order_update", "thanks"], listed.Select(t => t!["name"]!.GetValue<string>()));

        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Owner.DeleteAsync($"{templates}/{plain.Id()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await tenant.Owner.DeleteAsync($"{templates}/{plain.Id()}")).StatusCode);
        Assert.Single((await tenant.Owner.GetJsonAsync($"/api/v1/message-templates?channelId={channel.Id()}")).Items());
        var actions = (await tenant.Owner.GetJsonAsync("/api/v1/audit-logs?module=channels")).Items().Select(e => e!["action"]!.GetValue<string>());
        Assert.Equal(["channels.template.create", "channels.template.create", "channels.template.delete"], actions.Where(a => a.Contains("template")).Order());

        // Meta's templates come from Meta: a Cloud API channel neither takes nor drops them by hand.
        var cloud = await tenant.Owner.PostJsonAsync("/api/v1/channels", ChannelsTests.WhatsApp(apiBaseUrl: "http://127.0.0.1:9"), HttpStatusCode.Created);
        var refused = await tenant.Owner.PostJsonAsync($"/api/v1/channels/{cloud.Id()}/templates", Registration(OrderUpdate), HttpStatusCode.BadRequest);
        Assert.Contains("WhatsApp Manager", refused["detail"]!.GetValue<string>());
    }

    [Theory, Providers]
    public async Task OutsideTheWindow_AContentTemplate_ReachesTwilioAsContentSidAndVariables(DatabaseProvider provider)
    {
        await using var twilio = await TwilioAsync();
        twilio.Services.GetRequiredService<ContentStore>().Add(FakeTwilio.AccountSid, "winter_sale", "en", "Hi {{1}}, winter is here.",
            new JsonObject { ["1"] = "Ada" }, new WhatsAppApproval("winter_sale", "MARKETING", "pending"));
        var factory = await servers.ForAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var channel = await tenant.Owner.PostJsonAsync("/api/v1/channels", Channel(twilio.BaseUrl, "twilio_whatsapp"), HttpStatusCode.Created);
        var conversation = await CustomerWroteYesterdayAsync(tenant, channel.Id());
        var messages = $"/api/v1/conversations/{conversation}/messages";

        var text = await tenant.Owner.PostJsonAsync(messages, new { type = "text", text = "Hello?" }, HttpStatusCode.UnprocessableEntity);
        Assert.Equal("window_closed", text["code"]!.GetValue<string>());
        // Twilio sends a template only by its Content SID, so one Switchboard does not know cannot go.
        var unknown = await tenant.Owner.PostJsonAsync(messages, Template("order_update", "Sheena", "#1042"), HttpStatusCode.UnprocessableEntity);
        Assert.Equal("template_unknown", unknown["code"]!.GetValue<string>());

        var synced = (await tenant.Owner.PostJsonAsync($"/api/v1/channels/{channel.Id()}/templates/sync", new { }, HttpStatusCode.OK)).Items()
            .Select(t => t!.AsObject()).ToList();
        Assert.Equal(["hello_world", "order_update", "spring_sale", "winter_sale"], synced.Select(t => t["name"]!.GetValue<string>()));
        var orderUpdate = synced[1];
        Assert.Equal((OrderUpdate, "Hi {{1}}, your order {{2}} has shipped.", 2, "APPROVED", "utility", "en"),
            (orderUpdate["providerTemplateId"]!.GetValue<string>(), orderUpdate["body"]!.GetValue<string>(), orderUpdate["parameterCount"]!.GetValue<int>(),
                orderUpdate["status"]!.GetValue<string>(), orderUpdate["category"]!.GetValue<string>(), orderUpdate["language"]!.GetValue<string>()));
        Assert.Equal(("PENDING", "marketing"), (synced[3]["status"]!.GetValue<string>(), synced[3]["category"]!.GetValue<string>()));

        // Refused before anything is stored: a value short, or a template WhatsApp has not approved.
        var parameters = await tenant.Owner.PostJsonAsync(messages, Template("order_update", "Sheena"), HttpStatusCode.UnprocessableEntity);
        Assert.Equal("template_parameters", parameters["code"]!.GetValue<string>());
        Assert.Contains("takes 2 parameters; 1 were given", parameters["detail"]!.GetValue<string>());
        var pending = await tenant.Owner.PostJsonAsync(messages, Template("winter_sale", "Ada"), HttpStatusCode.UnprocessableEntity);
        Assert.Equal("template_not_approved", pending["code"]!.GetValue<string>());
        Assert.Equal(1, await factory.QueryAsync(tenant.Id, db => db.Messages.CountAsync(m => m.ConversationId == conversation)));
        Assert.Empty(twilio.Sent.For(SimulatedProvider.Twilio, FakeTwilio.AccountSid));

        var sent = await tenant.Owner.PostJsonAsync(messages, Template("order_update", "Sheena", "#1042 – \"½ off\""), HttpStatusCode.Accepted);
        Assert.Equal(("pending", "template"), (sent["status"]!.GetValue<string>(), sent["type"]!.GetValue<string>()));
        await WhatsAppWebhookTests.WaitForAsync(factory, tenant.Id, async db => await db.Messages.AnyAsync(m => m.Id == sent.Id() && m.ProviderMessageId != null));

        var accepted = Assert.Single(twilio.Sent.For(SimulatedProvider.Twilio, FakeTwilio.AccountSid));
        var form = accepted.Request;
        Assert.Equal(OrderUpdate, form["ContentSid"]!.GetValue<string>());
        Assert.Equal("{\"1\":\"Sheena\",\"2\":\"#1042 – \\\"½ off\\\"\"}", form["ContentVariables"]!.GetValue<string>());
        Assert.Equal(("whatsapp:" + Customer, "whatsapp:" + FromNumber), (form["To"]!.GetValue<string>(), form["From"]!.GetValue<string>()));
        Assert.False(form.ContainsKey("Body"));
        Assert.Equal("Hi Sheena, your order #1042 – \"½ off\" has shipped.", accepted.Text);
        var message = await factory.QueryAsync(tenant.Id, db => db.Messages.SingleAsync(m => m.Id == sent.Id()));
        Assert.Equal((accepted.Id, MessageStatus.Sent), (message.ProviderMessageId, message.Status));
    }

    [Theory, Providers]
    public async Task TemplateSync_ReadsEveryPageOfTwiliosContent_AndPassesTwiliosErrorsOn(DatabaseProvider provider)
    {
        await using var twilio = await TwilioAsync();
        var store = twilio.Services.GetRequiredService<ContentStore>();
        for (var i = 0; i < 120; i++)
            store.Add(FakeTwilio.AccountSid, $"notice_{i:D3}", "en", "Notice {{1}}", [], WhatsAppApproval.Unsubmitted);
        var factory = await servers.ForAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var channel = await tenant.Owner.PostJsonAsync("/api/v1/channels", Channel(twilio.BaseUrl, "twilio_whatsapp"), HttpStatusCode.Created);
        var sync = $"/api/v1/channels/{channel.Id()}/templates/sync";

        var synced = (await tenant.Owner.PostJsonAsync(sync, new { }, HttpStatusCode.OK)).Items();
        Assert.Equal(123, synced.Count); // two pages of Twilio's list
        Assert.All(synced.Where(t => t!["name"]!.GetValue<string>().StartsWith("notice_", StringComparison.Ordinal)),
            t => Assert.Equal(("UNSUBMITTED", 1), (t!["status"]!.GetValue<string>(), t["parameterCount"]!.GetValue<int>())));

        twilio.Accounts.Add(twilio.Accounts.TwilioAccounts[FakeTwilio.AccountSid] with { AuthToken = "rotated" });
        var refused = await tenant.Owner.PostJsonAsync(sync, new { }, HttpStatusCode.BadGateway);
        Assert.Equal(("Twilio refused the template list.", "20003", "Authenticate"),
            (refused["title"]!.GetValue<string>(), refused["code"]!.GetValue<string>(), refused["detail"]!.GetValue<string>()));
        Assert.Equal(123, (await tenant.Owner.GetJsonAsync($"/api/v1/message-templates?channelId={channel.Id()}")).Items().Count);
    }

    [Theory, Providers]
    public async Task OnTwilioSms_TemplatesAreRefused_BothToRegisterAndToSend(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var channel = await tenant.Owner.PostJsonAsync("/api/v1/channels", Channel("http://127.0.0.1:9"), HttpStatusCode.Created);
        await factory.CreateClient().SendAsync(Signed(channel.Id(), InboundSms("SM" + Guid.NewGuid().ToString("N"), "Hi")));
        await WhatsAppWebhookTests.WaitForAsync(factory, tenant.Id, async db => await db.Conversations.AnyAsync());
        var conversation = await factory.QueryAsync(tenant.Id, db => db.Conversations.Select(c => c.Id).SingleAsync());

        var register = await tenant.Owner.PostJsonAsync($"/api/v1/channels/{channel.Id()}/templates", Registration(OrderUpdate), HttpStatusCode.BadRequest);
        Assert.Contains("Only Twilio WhatsApp channels", register["detail"]!.GetValue<string>());
        await tenant.Owner.PostJsonAsync($"/api/v1/channels/{channel.Id()}/templates/sync", new { }, HttpStatusCode.BadRequest);
        var send = await tenant.Owner.PostJsonAsync($"/api/v1/conversations/{conversation}/messages", Template("order_update", "Sheena", "#1042"),
            HttpStatusCode.UnprocessableEntity);
        Assert.Equal("templates_unsupported", send["code"]!.GetValue<string>());
        Assert.Equal(1, await factory.QueryAsync(tenant.Id, db => db.Messages.CountAsync()));
    }
}
