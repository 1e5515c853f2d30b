using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Channels;
using Switchboard.Channels.WhatsApp;
using Switchboard.Conversations;
using Switchboard.Platform.Database;
using Switchboard.Platform.Jobs;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests;

[Collection(ServerCollection.Name)]
public sealed class WhatsAppWebhookTests(Servers servers)
{
    public const string AppSecret = "app-secret-value";

    /// <summary>Meta's inbound text example (reference/wire-formats.md), with the message id made unique per call.</summary>
    public static string InboundText(string messageId, string body = "Does it come in another color?", string type = "text", string from = "16505551234",
        string name = "Sheena Nelson") =>
        "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"419561257915477\",\"changes\":[{\"value\":{\"messaging_product\":\"whatsapp\"," +
        "\"metadata\":{\"display_phone_number\":\"15550783881\",\"phone_number_id\":\"106540352242922\"}," +
        $"\"contacts\":[{{\"profile\":{{\"name\":\"{name}\"}},\"wa_id\":\"{from}\"}}]," +
        $"\"messages\":[{{\"from\":\"{from}\",\"id\":\"{messageId}\",\"timestamp\":\"1749416383\",\"type\":\"{type}\",\"{type}\":{{\"body\":\"{body}\"}}}}]}}," +
        "\"field\":\"messages\"}]}]}";

    public static HttpRequestMessage Signed(long channelId, string body, string secret = AppSecret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/webhooks/whatsapp/{channelId}") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add(WhatsAppSignature.Header, "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body))));
        return request;
    }

    [Fact]
    public void TheSignatureCheck_AcceptsMetasPublicTestVector_AndNothingElse()
    {
        const string vector = "sha256=0c61947b610d4f45e65f3d680e26027121ec2413e77598bcb6cfc6e0d9888221";
        Assert.True(WhatsAppSignature.IsValid("test"u8, vector, "TEST_APP_SECRET"));
        Assert.False(WhatsAppSignature.IsValid("test "u8, vector, "TEST_APP_SECRET"));
        Assert.False(WhatsAppSignature.IsValid("test"u8, vector, "OTHER_SECRET"));
        Assert.False(WhatsAppSignature.IsValid("test"u8, vector[7..], "TEST_APP_SECRET"));
        Assert.False(WhatsAppSignature.IsValid("test"u8, null, "TEST_APP_SECRET"));
    }

    [Theory, Providers]
    public async Task TheSubscriptionHandshake_EchoesTheChallenge_OnlyForTheRightVerifyToken(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var channel = await tenant.Owner.PostJsonAsync("/api/v1/channels", ChannelsTests.WhatsApp(), HttpStatusCode.Created);
        var meta = factory.CreateClient();
        var ok = await meta.GetAsync($"/webhooks/whatsapp/{channel.Id()}?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=verify-me");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("1158201444", await ok.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, (await meta.GetAsync($"/webhooks/whatsapp/{channel.Id()}?hub.mode=subscribe&hub.challenge=1&hub.verify_token=guess")).StatusCode);
    }

    [Theory, Providers]
    public async Task AnInboundMessage_LandsOnceInTheInbox_HoweverOftenItIsDelivered(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var channel = await tenant.Owner.PostJsonAsync("/api/v1/channels", ChannelsTests.WhatsApp(), HttpStatusCode.Created);
        var meta = factory.CreateClient();
        var wamid = "wamid." + Guid.NewGuid().ToString("N");

        var forged = Signed(channel.Id(), InboundText(wamid), secret: "not-the-app-secret");
        Assert.Equal(HttpStatusCode.Unauthorized, (await meta.SendAsync(forged)).StatusCode);
        var unsigned = new HttpRequestMessage(HttpMethod.Post, $"/webhooks/whatsapp/{channel.Id()}") { Content = new StringContent(InboundText(wamid), Encoding.UTF8, "application/json") };
        Assert.Equal(HttpStatusCode.Unauthorized, (await meta.SendAsync(unsigned)).StatusCode);
        Assert.Equal(0, await CountAsync(factory, tenant.Id, db => db.WebhookEvents.CountAsync()));

        Assert.Equal(HttpStatusCode.OK, (await meta.SendAsync(Signed(channel.Id(), InboundText(wamid)))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await meta.SendAsync(Signed(channel.Id(), InboundText(wamid)))).StatusCode); // re-delivered
        Assert.Equal(HttpStatusCode.OK, (await meta.SendAsync(Signed(channel.Id(), InboundText(wamid) + " "))).StatusCode); // other bytes, same message
        await WaitForAsync(factory, tenant.Id, async db => await db.WebhookEvents.CountAsync(e => e.ProcessedAt != null) == 2);

        var message = await CountAsync(factory, tenant.Id, db => db.Messages.SingleAsync());
        Assert.Equal(wamid, message.ProviderMessageId);
        Assert.Equal("Does it come in another color?", message.Text);
        Assert.Equal(MessageDirection.Inbound, message.Direction);
        var conversation = await CountAsync(factory, tenant.Id, db => db.Conversations.SingleAsync());
        Assert.Equal(1, conversation.MessageCount);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1749416383).AddHours(24), conversation.WindowExpiresAt);
        var contact = (await tenant.Owner.GetJsonAsync("/api/v1/contacts?q=sheena")).Items().Single()!;
        Assert.Equal("+16505551234", contact["phone"]!.GetValue<string>());
        Assert.Equal(contact["id"]!.GetValue<long>(), conversation.ContactId);
    }

    [Theory, Providers]
    public async Task ANewMessage_ReopensAResolvedConversation_AndUnknownTypesAreKept(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var channel = await tenant.Owner.PostJsonAsync("/api/v1/channels", ChannelsTests.WhatsApp(), HttpStatusCode.Created);
        var meta = factory.CreateClient();
        await meta.SendAsync(Signed(channel.Id(), InboundText("wamid.first")));
        await WaitForAsync(factory, tenant.Id, async db => await db.Messages.AnyAsync());
        await CountAsync(factory, tenant.Id, db => db.Conversations.ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, ConversationStatus.Resolved)));

        await meta.SendAsync(Signed(channel.Id(), InboundText("wamid.second", type: "reaction")));
        await WaitForAsync(factory, tenant.Id, async db => await db.Messages.CountAsync() == 2);
        var conversation = await CountAsync(factory, tenant.Id, db => db.Conversations.SingleAsync());
        Assert.Equal(ConversationStatus.Open, conversation.Status);
        Assert.Equal(2, conversation.MessageCount);
        var reaction = await CountAsync(factory, tenant.Id, db => db.Messages.SingleAsync(m => m.ProviderMessageId == "wamid.second"));
        Assert.Equal(MessageType.Unsupported, reaction.Type);
        Assert.Equal("reaction", reaction.Payload["type"]!.GetValue<string>());
    }

    [Theory, Providers]
    public async Task WebhooksStoredTogether_AreFiledAsOneBatch_AndAPoisonedOneHoldsUpNoneOfTheOthers(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var channel = await tenant.Owner.PostJsonAsync("/api/v1/channels", ChannelsTests.WhatsApp(), HttpStatusCode.Created);
        var now = factory.Clock.GetUtcNow();
        WebhookEvent Stored(string payload) => new()
        {
            TenantId = tenant.Id, ChannelId = channel.Id(), Payload = payload, PayloadHash = Guid.NewGuid().ToString("N"), ReceivedAt = now, RunAt = now,
        };
        var poisoned = Stored("{\"object\":\"whatsapp_business_account\",\"entry\":[");
        // Committed together, so the processor finds them together: two messages of one customer, one of them delivered again
        // in other bytes, a second customer, and a payload no reader can parse.
        await CountAsync(factory, tenant.Id, async db =>
        {
            db.WebhookEvents.AddRange(Stored(InboundText("wamid.batch.1", "first")), poisoned, Stored(InboundText("wamid.batch.2", "second")),
                Stored(InboundText("wamid.batch.1", "first") + " "), Stored(InboundText("wamid.batch.3", "hello", from: "447700900123", name: "Ada Lovelace")),
                // JSON may carry a character PostgreSQL text cannot hold (NUL).
                Stored(InboundText("wamid.batch.4", "odd\\u0000text", from: "447700900124", name: "Nul\\u0000Name")));
            return await db.SaveChangesAsync();
        });
        factory.Services.GetRequiredService<WebhookProcessor>().Notify();

        await WaitForAsync(factory, tenant.Id, async db => await db.WebhookEvents.CountAsync(e => e.ProcessedAt != null) == 5);
        var messages = await CountAsync(factory, tenant.Id, db => db.Messages.OrderBy(m => m.Id).ToListAsync());
        Assert.Equal(["wamid.batch.1", "wamid.batch.2", "wamid.batch.3", "wamid.batch.4"], messages.Select(m => m.ProviderMessageId));
        Assert.Equal("oddtext", messages[3].Text);
        var conversations = await CountAsync(factory, tenant.Id, db => db.Conversations.OrderBy(c => c.Id).ToListAsync());
        Assert.Equal([2, 1, 1], conversations.Select(c => c.MessageCount));
        Assert.Equal(["second", "hello", "oddtext"], conversations.Select(c => c.LastMessagePreview));
        var contacts = await CountAsync(factory, tenant.Id, db => db.Contacts.OrderBy(c => c.Id).Select(c => c.Name).ToListAsync());
        Assert.Equal(["Sheena Nelson", "Ada Lovelace", "NulName"], contacts);
        Assert.Equal(3, (await tenant.Owner.GetJsonAsync("/api/v1/conversations?status=new")).Items().Count);

        var failed = await CountAsync(factory, tenant.Id, db => db.WebhookEvents.SingleAsync(e => e.Id == poisoned.Id));
        Assert.Null(failed.ProcessedAt);
        Assert.NotNull(failed.LastError);
        Assert.True(failed.RunAt > now, "a failed webhook is due again later");
        Assert.Equal(1, failed.Attempts);
    }

    private static Task<T> CountAsync<T>(SwitchboardFactory factory, long tenantId, Func<SwitchboardDbContext, Task<T>> query) =>
        factory.InTenantAsync(tenantId, services => query(services.GetRequiredService<SwitchboardDbContext>()));

    [Theory, Providers]
    public async Task OneTenantsBodyWithARawNul_FailsNoOneElsesWebhooks(DatabaseProvider provider)
    {
        // PostgreSQL text refuses NUL; webhooks arriving together are stored in one statement, so one tenant's signed body
        // carrying a raw NUL used to fail the whole batch with every other tenant's deliveries in it.
        var factory = await servers.ForAsync(provider);
        var hostile = await factory.CreateTenantAsync();
        var victim = await factory.CreateTenantAsync();
        var hostileChannel = (await hostile.Owner.PostJsonAsync("/api/v1/channels", ChannelsTests.WhatsApp(), HttpStatusCode.Created)).Id();
        var victimChannel = (await victim.Owner.PostJsonAsync("/api/v1/channels", ChannelsTests.WhatsApp(), HttpStatusCode.Created)).Id();
        var meta = factory.CreateClient();

        var requests = Enumerable.Range(0, 200).Select(i => i % 20 == 0
            ? Signed(hostileChannel, InboundText($"wamid.nul.{Guid.NewGuid():N}", body: "a\0b"))
            : Signed(victimChannel, InboundText($"wamid.victim.{Guid.NewGuid():N}", from: $"1650555{i:D4}"))).ToList();
        var answers = await Task.WhenAll(requests.Select(r => meta.SendAsync(r)));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        Assert.Equal(190, await factory.QueryAsync(victim.Id, db => db.WebhookEvents.CountAsync()));
        var stored = await factory.QueryAsync(hostile.Id, db => db.WebhookEvents.Select(e => e.Payload).ToListAsync());
        Assert.Equal(10, stored.Count);
        Assert.All(stored, payload => Assert.Contains("a\uFFFDb", payload));
    }

    [Theory, Providers]
    public async Task AWebhookStoredByANodeOfTheOlderRelease_IsProcessedByTheNewOne(DatabaseProvider provider)
    {
        // A rolling upgrade across M0009: an old node stores the webhook without run_at, with a job that names it.
        var factory = await servers.ForAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var channel = await tenant.Owner.PostJsonAsync("/api/v1/channels", ChannelsTests.WhatsApp(), HttpStatusCode.Created);
        var wamid = $"wamid.old-node.{Guid.NewGuid():N}";
        var now = factory.Clock.GetUtcNow();
        await factory.QueryAsync(tenant.Id, async db =>
        {
            var stored = new WebhookEvent
            {
                ChannelId = channel.Id(), Payload = InboundText(wamid), PayloadHash = Guid.NewGuid().ToString("N"), ReceivedAt = now,
            };
            db.WebhookEvents.Add(stored);
            await db.SaveChangesAsync();
            db.Jobs.Add(new Job { TenantId = tenant.Id, Type = "whatsapp.inbound", Payload = $"{{\"eventId\":{stored.Id}}}", RunAt = now, CreatedAt = now });
            return await db.SaveChangesAsync();
        });

        await WaitForAsync(factory, tenant.Id, db => db.Messages.AnyAsync(m => m.ProviderMessageId == wamid));
    }

    [Fact]
    public async Task AWebhookWhoseProcessingKilledItsWorkerEachTime_IsGivenUp_NotClaimedForever()
    {
        // On PostgreSQL the attempt is counted in the claim: a webhook claimed for the ninth time had its node die during
        // each earlier attempt (the processor's failure path never ran). It is given up on, not processed with a batch again.
        var factory = await servers.ForAsync(DatabaseProvider.Postgres);
        var tenant = await factory.CreateTenantAsync();
        var channel = await tenant.Owner.PostJsonAsync("/api/v1/channels", ChannelsTests.WhatsApp(), HttpStatusCode.Created);
        var wamid = $"wamid.poison.{Guid.NewGuid():N}";
        var now = factory.Clock.GetUtcNow();
        var id = await factory.QueryAsync(tenant.Id, async db =>
        {
            var stored = new WebhookEvent
            {
                ChannelId = channel.Id(), Payload = InboundText(wamid), PayloadHash = Guid.NewGuid().ToString("N"), ReceivedAt = now, RunAt = now,
                Attempts = WebhookProcessor.MaxAttempts,
            };
            db.WebhookEvents.Add(stored);
            await db.SaveChangesAsync();
            return stored.Id;
        });

        await WaitForAsync(factory, tenant.Id, db => db.WebhookEvents.AnyAsync(e => e.Id == id && e.RunAt == null));
        var givenUp = await factory.QueryAsync(tenant.Id, db => db.WebhookEvents.SingleAsync(e => e.Id == id));
        Assert.Null(givenUp.ProcessedAt);
        Assert.Contains("stopped its worker", givenUp.LastError);
        Assert.False(await factory.QueryAsync(tenant.Id, db => db.Messages.AnyAsync(m => m.ProviderMessageId == wamid)));
    }

    internal static async Task WaitForAsync(SwitchboardFactory factory, long tenantId, Func<SwitchboardDbContext, Task<bool>> condition,
        TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(10));
        while (DateTime.UtcNow < deadline)
        {
            if (await CountAsync(factory, tenantId, condition))
                return;
            await Task.Delay(100);
        }
        throw new TimeoutException("The webhook was not processed in time.");
    }
}
