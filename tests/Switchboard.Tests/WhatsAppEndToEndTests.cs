using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Conversations;
using Switchboard.Platform.Database;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests;

/// <summary>WhatsApp end to end against the provider simulator over real HTTP: a customer writes, the agent answers, the
/// simulator's signed status webhooks move the ticks; provider failures are retried or recorded as Meta's codes say.</summary>
[Collection(ServerCollection.Name)]
public sealed class WhatsAppEndToEndTests(Servers servers)
{
    private sealed record Setup(TenantHandle Tenant, long ChannelId, string PhoneNumberId, SimulatorHost Simulator, LoopbackApp Relay) : IAsyncDisposable
    {
        public HttpClient Control => Simulator.CreateClient();

        public async Task BehaveAsync(object behaviour) =>
            (await Control.PutAsJsonAsync($"_simulator/whatsapp/{PhoneNumberId}/behaviour", behaviour)).EnsureSuccessStatusCode();

        public async Task<long> CustomerWritesAsync(string from, object? message = null)
        {
            var answer = await Control.PostAsJsonAsync($"_simulator/whatsapp/{PhoneNumberId}/inbound", message ?? new { from, name = "Sheena Nelson", type = "text", text = "Hello?" });
            answer.EnsureSuccessStatusCode();
            var wamid = (await answer.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
            await WhatsAppWebhookTests.WaitForAsync(Tenant.Factory, Tenant.Id, db => db.Messages.AnyAsync(m => m.ProviderMessageId == wamid));
            return await QueryAsync(db => db.Messages.Where(m => m.ProviderMessageId == wamid).Select(m => m.ConversationId).SingleAsync());
        }

        /// <summary>An agent's text reply; the new message's id.</summary>
        public async Task<long> ReplyAsync(long conversationId, string text) =>
            (await Tenant.Owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/messages", new { type = "text", text }, HttpStatusCode.Accepted)).Id();

        public Task<T> QueryAsync<T>(Func<SwitchboardDbContext, Task<T>> query) =>
            Tenant.Factory.InTenantAsync(Tenant.Id, services => query(services.GetRequiredService<SwitchboardDbContext>()));

        /// <summary>Waits until the message reaches <paramref name="status"/>, moving the server's clock so retries fall due.</summary>
        public async Task<Message> WaitForStatusAsync(long messageId, MessageStatus status, bool advanceClock = false)
        {
            for (var i = 0; i < 300; i++)
            {
                var message = await QueryAsync(db => db.Messages.AsNoTracking().SingleAsync(m => m.Id == messageId));
                if (message.Status == status)
                    return message;
                if (advanceClock)
                    Tenant.Factory.Clock.Advance(TimeSpan.FromSeconds(30));
                await Task.Delay(100);
            }
            var last = await QueryAsync(db => db.Messages.AsNoTracking().SingleAsync(m => m.Id == messageId));
            throw new TimeoutException($"Message {messageId} stayed {last.Status} ({last.ErrorCode} {last.ErrorMessage}), expected {status}.");
        }

        public async ValueTask DisposeAsync()
        {
            await Relay.DisposeAsync();
            await Simulator.DisposeAsync();
        }
    }

    private async Task<Setup> StartAsync(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var simulator = await SimulatorHost.StartAsync();
        var relay = await ProviderRelay.StartAsync(factory.CreateClient());
        // Every test gets its own number at the simulator, so knobs and rate limits don't leak between tests.
        var phoneNumberId = Random.Shared.NextInt64(100_000_000_000_000, 999_999_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var channel = await tenant.Owner.PostJsonAsync("/api/v1/channels",
            ChannelsTests.WhatsApp(apiBaseUrl: simulator.BaseUrl, phoneNumberId: phoneNumberId), HttpStatusCode.Created);
        (await simulator.CreateClient().PutAsJsonAsync($"_simulator/whatsapp/{phoneNumberId}", new
        {
            accessToken = "EAAG-secret-token", appSecret = WhatsAppWebhookTests.AppSecret, businessAccountId = "419561257915477",
            displayPhoneNumber = "+15550783881", verifiedName = "Switchboard Test", webhookUrl = $"{relay.BaseUrl}/webhooks/whatsapp/{channel.Id()}",
        })).EnsureSuccessStatusCode();
        var setup = new Setup(tenant, channel.Id(), phoneNumberId, simulator, relay);
        // A busy CI machine may answer a webhook 500 for a moment; the simulator then retries for about 15 s, as Meta would for days.
        await setup.BehaveAsync(new { statusDelayMs = 20, webhookRetryDelayMs = 500 });
        return setup;
    }

    [Theory, Providers]
    public async Task ACustomerWrites_TheAgentReplies_AndTheTicksAdvanceToRead(DatabaseProvider provider)
    {
        await using var setup = await StartAsync(provider);
        var conversation = await setup.CustomerWritesAsync("16505550101");
        var reply = await setup.ReplyAsync(conversation, "Hi Sheena, how can I help?");

        var read = await setup.WaitForStatusAsync(reply, MessageStatus.Read);
        Assert.StartsWith("wamid.", read.ProviderMessageId);
        Assert.NotNull(read.SentAt);
        Assert.NotNull(read.DeliveredAt);
        var sent = await setup.Control.GetFromJsonAsync<JsonObject>($"_simulator/sent?phoneNumberId={setup.PhoneNumberId}");
        var request = sent!["messages"]!.AsArray().Single()!["request"]!;
        Assert.Equal("16505550101", request["to"]!.GetValue<string>());
        Assert.Equal("Hi Sheena, how can I help?", request["text"]!["body"]!.GetValue<string>());
        var history = await setup.QueryAsync(db => db.MessageStatusUpdates.Where(u => u.MessageId == reply).Select(u => u.Status).Distinct().ToListAsync());
        Assert.Equal([MessageStatus.Sent, MessageStatus.Delivered, MessageStatus.Read], history.Order());
    }

    [Theory, Providers]
    public async Task DuplicateAndOutOfOrderReports_StillEndAtRead(DatabaseProvider provider)
    {
        await using var setup = await StartAsync(provider);
        await setup.BehaveAsync(new { statusDelayMs = 20, duplicateStatuses = true, outOfOrder = true });
        var conversation = await setup.CustomerWritesAsync("16505550102");
        var reply = await setup.ReplyAsync(conversation, "Twice, backwards");
        await setup.WaitForStatusAsync(reply, MessageStatus.Read);
        await Task.Delay(500); // the late "sent" and "delivered" reports arrive after "read"
        var message = await setup.QueryAsync(db => db.Messages.AsNoTracking().SingleAsync(m => m.Id == reply));
        Assert.Equal(MessageStatus.Read, message.Status);
    }

    [Theory, Providers]
    public async Task ThrottlingAndOutages_AreRetried_PermanentRefusalsAreNot(DatabaseProvider provider)
    {
        await using var setup = await StartAsync(provider);
        await setup.BehaveAsync(new
        {
            statusDelayMs = 20,
            errors = new object[] { new { status = 400, code = 130429 }, new { status = 500, code = 131057 } },
        });
        var conversation = await setup.CustomerWritesAsync("16505550103");
        var retried = await setup.ReplyAsync(conversation, "Third time lucky");
        await setup.WaitForStatusAsync(retried, MessageStatus.Read, advanceClock: true);
        var attempts = await setup.QueryAsync(db => db.Jobs.IgnoreQueryFilters().Where(j => j.Type == "message.send" && j.Payload.Contains($":{retried}}}"))
            .Select(j => j.Attempts).SingleAsync());
        Assert.Equal(3, attempts);

        await setup.BehaveAsync(new { statusDelayMs = 20, errors = new object[] { new { status = 401, code = 190, message = "Error validating access token" } } });
        var refused = await setup.ReplyAsync(conversation, "Token expired");
        var failed = await setup.WaitForStatusAsync(refused, MessageStatus.Failed);
        Assert.Equal("190", failed.ErrorCode);
        Assert.Contains("access token", failed.ErrorMessage);

        var retry = await setup.Tenant.Owner.PostJsonAsync($"/api/v1/conversations/{conversation}/messages/{refused}/retry", new { }, HttpStatusCode.Accepted);
        Assert.Equal("pending", retry["status"]!.GetValue<string>());
        await setup.WaitForStatusAsync(refused, MessageStatus.Read);
    }

    [Theory, Providers]
    public async Task UndeliverableAndOptedOutRecipients_FailWithMetasCode(DatabaseProvider provider)
    {
        await using var setup = await StartAsync(provider);
        await setup.BehaveAsync(new { statusDelayMs = 20, failingRecipients = new Dictionary<string, int> { ["16505550104"] = 131026, ["16505550105"] = 131050 } });
        var undeliverable = await setup.CustomerWritesAsync("16505550104");
        var lost = await setup.ReplyAsync(undeliverable, "Hello?");
        Assert.Equal("131026", (await setup.WaitForStatusAsync(lost, MessageStatus.Failed)).ErrorCode);

        var stopped = await setup.CustomerWritesAsync("16505550105", new { from = "16505550105", name = "Ada Marketing", type = "text", text = "hi" });
        var promo = await setup.ReplyAsync(stopped, "Big sale!");
        Assert.Equal("131050", (await setup.WaitForStatusAsync(promo, MessageStatus.Failed)).ErrorCode);
        var refused = await (await setup.Tenant.Owner.PostAsync($"/api/v1/conversations/{stopped}/messages", Http.RawJson("{\"type\":\"text\",\"text\":\"again\"}")))
            .JsonAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal("opted_out", refused["code"]!.GetValue<string>());
    }

    [Theory, Providers]
    public async Task Templates_AndFiles_TravelInMetasFormat(DatabaseProvider provider)
    {
        await using var setup = await StartAsync(provider);
        var conversation = await setup.CustomerWritesAsync("16505550106");
        var template = await setup.Tenant.Owner.PostJsonAsync($"/api/v1/conversations/{conversation}/messages",
            new { type = "template", template = new { name = "order_update", language = "en_US", parameters = new[] { "Sheena", "#1042" } } }, HttpStatusCode.Accepted);
        await setup.WaitForStatusAsync(template.Id(), MessageStatus.Read);

        using var upload = new MultipartFormDataContent
        {
            { new ByteArrayContent("%PDF-1.4 quote"u8.ToArray()) { Headers = { ContentType = new("application/pdf") } }, "file", "quote.pdf" },
            { new StringContent("Your quote"), "caption" },
        };
        var file = await (await setup.Tenant.Owner.PostAsync($"/api/v1/conversations/{conversation}/messages", upload)).JsonAsync(HttpStatusCode.Accepted);
        Assert.Equal("document", file["type"]!.GetValue<string>());
        await setup.WaitForStatusAsync(file.Id(), MessageStatus.Read);

        var requests = (await setup.Control.GetFromJsonAsync<JsonObject>($"_simulator/sent?phoneNumberId={setup.PhoneNumberId}"))!["messages"]!.AsArray()
            .Select(m => m!["request"]!).ToList();
        var sentTemplate = requests.Single(r => r["type"]!.GetValue<string>() == "template")["template"]!;
        Assert.Equal("order_update", sentTemplate["name"]!.GetValue<string>());
        Assert.Equal(["Sheena", "#1042"], sentTemplate["components"]![0]!["parameters"]!.AsArray().Select(p => p!["text"]!.GetValue<string>()));
        var document = requests.Single(r => r["type"]!.GetValue<string>() == "document")["document"]!;
        Assert.Equal("quote.pdf", document["filename"]!.GetValue<string>());
        Assert.Equal("Your quote", document["caption"]!.GetValue<string>());
        Assert.NotNull(document["id"]);
    }

    [Theory, Providers]
    public async Task InboundMedia_IsDownloadedIntoStorage_AndServedToAgents(DatabaseProvider provider)
    {
        await using var setup = await StartAsync(provider);
        var png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");
        var conversation = await setup.CustomerWritesAsync("16505550107",
            new { from = "16505550107", name = "Photo Sender", type = "image", caption = "The broken part", mimeType = "image/png", data = Convert.ToBase64String(png) });
        JsonNode? attachment = null;
        for (var i = 0; i < 100 && attachment?["url"] is null; i++)
        {
            await Task.Delay(100);
            var thread = await setup.Tenant.Owner.GetJsonAsync($"/api/v1/conversations/{conversation}/messages");
            attachment = thread.Items().Single()!["attachments"]![0];
        }
        Assert.NotNull(attachment?["url"]);
        Assert.Equal("image/png", attachment!["mimeType"]!.GetValue<string>());
        var downloaded = await setup.Tenant.Owner.GetByteArrayAsync(attachment["url"]!.GetValue<string>());
        Assert.Equal(png, downloaded);
    }
}
