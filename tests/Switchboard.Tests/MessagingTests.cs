using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Channels;
using Switchboard.Conversations;
using Switchboard.Conversations.Outbound;
using Switchboard.Platform.Database;
using Switchboard.Platform.Jobs;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests;

/// <summary>The inbox model without a provider on the other end: the list and its counts, history, the 24-hour window,
/// consent keywords, and delivery reports applied monotonically.</summary>
[Collection(ServerCollection.Name)]
public sealed class MessagingTests(Servers servers)
{
    /// <summary>Nothing listens here: sends to it fail as a provider outage would.</summary>
    internal const string Nowhere = "http://127.0.0.1:9";

    /// <summary>A Cloud API webhook from the test WhatsApp number whose one change carries <paramref name="fields"/>
    /// (contacts and messages, or statuses).</summary>
    private static string Envelope(params (string Name, JsonNode Value)[] fields)
    {
        var value = new JsonObject
        {
            ["messaging_product"] = "whatsapp",
            ["metadata"] = new JsonObject { ["display_phone_number"] = "15550783881", ["phone_number_id"] = "106540352242922" },
        };
        foreach (var (name, node) in fields)
            value[name] = node;
        return new JsonObject
        {
            ["object"] = "whatsapp_business_account",
            ["entry"] = new JsonArray(new JsonObject
            {
                ["id"] = "419561257915477",
                ["changes"] = new JsonArray(new JsonObject { ["field"] = "messages", ["value"] = value }),
            }),
        }.ToJsonString();
    }

    internal static string Inbound(string wamid, string waId, string name, string text, DateTimeOffset at) => Envelope(
        ("contacts", new JsonArray(new JsonObject { ["profile"] = new JsonObject { ["name"] = name }, ["wa_id"] = waId })),
        ("messages", new JsonArray(new JsonObject
        {
            ["from"] = waId, ["id"] = wamid, ["timestamp"] = at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["type"] = "text", ["text"] = new JsonObject { ["body"] = text },
        })));

    internal static string Status(string wamid, string status, DateTimeOffset at, int? errorCode = null) => Envelope(
        ("statuses", new JsonArray(new JsonObject
        {
            ["id"] = wamid, ["status"] = status, ["recipient_id"] = "16505551234",
            ["timestamp"] = at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["errors"] = errorCode is null ? null : new JsonArray(new JsonObject
            {
                ["code"] = errorCode, ["title"] = "Message undeliverable", ["message"] = "Message undeliverable",
                ["error_data"] = new JsonObject { ["details"] = "The recipient could not be reached." },
            }),
        })));

    private static async Task<(TenantHandle Tenant, long ChannelId)> TenantWithWhatsAppAsync(Servers servers, DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var channel = await tenant.Owner.PostJsonAsync("/api/v1/channels", ChannelsTests.WhatsApp(apiBaseUrl: Nowhere), HttpStatusCode.Created);
        return (tenant, channel.Id());
    }

    internal static async Task<long> CustomerWritesAsync(TenantHandle tenant, long channelId, string waId, string name, string text, DateTimeOffset? at = null)
    {
        var wamid = "wamid." + Guid.NewGuid().ToString("N");
        var response = await tenant.Factory.CreateClient().SendAsync(WhatsAppWebhookTests.Signed(channelId, Inbound(wamid, waId, name, text, at ?? tenant.Factory.Clock.GetUtcNow())));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await WhatsAppWebhookTests.WaitForAsync(tenant.Factory, tenant.Id, db => db.Messages.AnyAsync(m => m.ProviderMessageId == wamid));
        return await tenant.Factory.InTenantAsync(tenant.Id, services => services.GetRequiredService<SwitchboardDbContext>().Messages
            .Where(m => m.ProviderMessageId == wamid).Select(m => m.ConversationId).SingleAsync());
    }

    private static async Task SendWebhookAsync(TenantHandle tenant, long channelId, string body)
    {
        var response = await tenant.Factory.CreateClient().SendAsync(WhatsAppWebhookTests.Signed(channelId, body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static Task<T> QueryAsync<T>(TenantHandle tenant, Func<SwitchboardDbContext, Task<T>> query) =>
        tenant.Factory.InTenantAsync(tenant.Id, services => query(services.GetRequiredService<SwitchboardDbContext>()));

    [Fact]
    public async Task ASlowUpload_DoesNotHoldUpOtherWriters_OnSqlite()
    {
        // SQLite has one writer: an audited request used to open its transaction before reading a
        // multipart body, so a file arriving slowly held up every other writer until it was complete.
        // Over real HTTP: the in-process test server would hand the body over only once it is complete.
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var factory = new SwitchboardFactory(database);
        factory.UseKestrel(0);
        factory.StartServer();
        var address = factory.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First();
        var tenant = await factory.CreateTenantAsync();
        using var owner = new HttpClient { BaseAddress = new Uri(address) };
        owner.DefaultRequestHeaders.Authorization = tenant.Owner.DefaultRequestHeaders.Authorization;
        tenant = tenant with { Owner = owner };
        var channelId = (await tenant.Owner.PostJsonAsync("/api/v1/channels", ChannelsTests.WhatsApp(apiBaseUrl: Nowhere), HttpStatusCode.Created)).Id();
        var conversationId = await CustomerWritesAsync(tenant, channelId, "15550000199", "Ada Lovelace", "Here is my invoice");
        var trickle = new System.IO.Pipelines.Pipe();
        var upload = new MultipartFormDataContent();
        var file = new StreamContent(trickle.Reader.AsStream());
        file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/png");
        upload.Add(file, "file", "invoice.png");
        await trickle.Writer.WriteAsync(new byte[16 * 1024]);
        var sending = tenant.Owner.PostAsync($"/api/v1/conversations/{conversationId}/messages", upload);
        await Task.Delay(500);

        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var contact = await tenant.Owner.PostAsJsonAsync("/api/v1/contacts", new { name = "Grace Hopper", phone = "+15550000198" }, patience.Token);
        Assert.Equal(HttpStatusCode.Created, contact.StatusCode);
        Assert.False(sending.IsCompleted);

        await trickle.Writer.WriteAsync(new byte[16 * 1024]);
        await trickle.Writer.CompleteAsync();
        Assert.Equal(HttpStatusCode.Accepted, (await sending).StatusCode);
    }

    [Theory, Providers]
    public async Task TheConversationList_FiltersSearchesPagesAndCountsPerStatus(DatabaseProvider provider)
    {
        var (tenant, channelId) = await TenantWithWhatsAppAsync(servers, provider);
        var now = tenant.Factory.Clock.GetUtcNow();
        var ada = await CustomerWritesAsync(tenant, channelId, "15550000101", "Ada Lovelace", "My parcel never arrived", now.AddMinutes(-3));
        var grace = await CustomerWritesAsync(tenant, channelId, "15550000102", "Grace Hopper", "Invoice question", now.AddMinutes(-2));
        var alan = await CustomerWritesAsync(tenant, channelId, "15550000103", "Alan Turing", "Where is my refund?", now.AddMinutes(-1));
        await tenant.Owner.PatchJsonAsync($"/api/v1/conversations/{grace}", new { status = "resolved" }, HttpStatusCode.OK);

        var all = await tenant.Owner.GetJsonAsync("/api/v1/conversations");
        Assert.Equal([alan, grace, ada], all.Items().Select(c => c!["id"]!.GetValue<long>()));
        Assert.Equal(2, all["counts"]!["new"]!.GetValue<int>());
        Assert.Equal(1, all["counts"]!["resolved"]!.GetValue<int>());
        var first = all.Items()[0]!;
        Assert.Equal("Alan Turing", first["contact"]!["name"]!.GetValue<string>());
        Assert.Equal("Where is my refund?", first["lastMessagePreview"]!.GetValue<string>());
        Assert.Equal(1, first["unreadCount"]!.GetValue<int>());
        Assert.Equal("whatsapp", first["channel"]!["type"]!.GetValue<string>());

        var fresh = await tenant.Owner.GetJsonAsync("/api/v1/conversations?status=new&assignee=unassigned");
        Assert.Equal([alan, ada], fresh.Items().Select(c => c!["id"]!.GetValue<long>()));
        Assert.Equal(1, fresh["counts"]!["resolved"]!.GetValue<int>()); // counts ignore only the status filter

        Assert.Equal([grace], (await tenant.Owner.GetJsonAsync("/api/v1/conversations?q=hopper")).Items().Select(c => c!["id"]!.GetValue<long>()));
        Assert.Equal([ada], (await tenant.Owner.GetJsonAsync("/api/v1/conversations?q=PARCEL")).Items().Select(c => c!["id"]!.GetValue<long>()));
        Assert.Equal([alan], (await tenant.Owner.GetJsonAsync("/api/v1/conversations?q=555-0000-103")).Items().Select(c => c!["id"]!.GetValue<long>()));

        var page1 = await tenant.Owner.GetJsonAsync("/api/v1/conversations?limit=2");
        var page2 = await tenant.Owner.GetJsonAsync($"/api/v1/conversations?limit=2&cursor={page1["nextCursor"]}");
        Assert.Equal([alan, grace, ada], page1.Items().Concat(page2.Items()).Select(c => c!["id"]!.GetValue<long>()));
        Assert.Null(page2["nextCursor"]);

        await tenant.Owner.PostAsync($"/api/v1/conversations/{alan}/read", null);
        Assert.Equal([ada], (await tenant.Owner.GetJsonAsync("/api/v1/conversations?unread=true&status=new")).Items().Select(c => c!["id"]!.GetValue<long>()));

        foreach (var bad in new[] { "status=closed", "assignee=someone", "limit=0", "cursor=nonsense" })
        {
            var problem = await (await tenant.Owner.GetAsync($"/api/v1/conversations?{bad}")).JsonAsync(HttpStatusCode.BadRequest);
            Assert.NotNull(problem["errors"]);
        }
        var me = await (await tenant.Owner.GetAsync("/api/v1/conversations?assignee=me")).JsonAsync(HttpStatusCode.BadRequest);
        Assert.Contains("API key", me["errors"]!["assignee"]![0]!.GetValue<string>());
    }

    [Theory, Providers]
    public async Task AgentsAndTheCustomerWritingAtOnce_LoseNoUpdateOfTheConversation(DatabaseProvider provider)
    {
        // 20 agent replies and 10 customer messages into one conversation at the same time: each writer starts from what the
        // one before wrote, so the kept message count is the number of messages stored.
        var (tenant, channelId) = await TenantWithWhatsAppAsync(servers, provider);
        var conversationId = await CustomerWritesAsync(tenant, channelId, "15550000777", "Busy Customer", "Hello?");
        var meta = tenant.Factory.CreateClient();
        var replies = Enumerable.Range(0, 20).Select(i => tenant.Owner.PostJsonAsync(
            $"/api/v1/conversations/{conversationId}/messages", new { type = "text", text = $"Reply {i}" }, HttpStatusCode.Accepted));
        var inbound = Enumerable.Range(0, 10).Select(async i =>
        {
            var body = Inbound($"wamid.busy.{Guid.NewGuid():N}", "15550000777", "Busy Customer", $"Message {i}", tenant.Factory.Clock.GetUtcNow());
            Assert.Equal(HttpStatusCode.OK, (await meta.SendAsync(WhatsAppWebhookTests.Signed(channelId, body))).StatusCode);
        });
        await Task.WhenAll(replies.Cast<Task>().Concat(inbound));
        await WhatsAppWebhookTests.WaitForAsync(tenant.Factory, tenant.Id,
            async db => await db.Messages.CountAsync(m => m.ConversationId == conversationId && m.Direction == MessageDirection.Inbound) == 11);

        var stored = await QueryAsync(tenant, db => db.Messages.CountAsync(m => m.ConversationId == conversationId));
        Assert.Equal(31, stored);
        Assert.Equal(stored, await QueryAsync(tenant, db => db.Conversations.Where(c => c.Id == conversationId).Select(c => c.MessageCount).SingleAsync()));

        // A count that went wrong anyway (an older release, a hand edit) is repaired by the operator's recount.
        await QueryAsync(tenant, db => db.Conversations.Where(c => c.Id == conversationId).ExecuteUpdateAsync(s => s.SetProperty(c => c.MessageCount, 2)));
        Assert.True(await QueryAsync(tenant, db => ConversationRows.RecountAsync(db, CancellationToken.None)) >= 1);
        Assert.Equal(stored, await QueryAsync(tenant, db => db.Conversations.Where(c => c.Id == conversationId).Select(c => c.MessageCount).SingleAsync()));
    }

    [Theory, Providers]
    public async Task MessagesFiledOutOfOrder_KeepTheNewestPreview_AndTheLatestConsent(DatabaseProvider provider)
    {
        // Providers do not promise order: the customer wrote STOP, then START and a question, but the webhooks came in the
        // other way round. What they said last counts, and the list shows their newest message.
        var (tenant, channelId) = await TenantWithWhatsAppAsync(servers, provider);
        var now = DateTimeOffset.FromUnixTimeSeconds(tenant.Factory.Clock.GetUtcNow().ToUnixTimeSeconds()); // WhatsApp's timestamps are in seconds
        var conversationId = await CustomerWritesAsync(tenant, channelId, "15550000888", "Late Customer", "Is it still on sale?", now.AddMinutes(-1));
        await CustomerWritesAsync(tenant, channelId, "15550000888", "Late Customer", "START", now.AddMinutes(-2));
        await CustomerWritesAsync(tenant, channelId, "15550000888", "Late Customer", "STOP", now.AddMinutes(-3));

        var conversation = await QueryAsync(tenant, db => db.Conversations.SingleAsync(c => c.Id == conversationId));
        Assert.Equal("Is it still on sale?", conversation.LastMessagePreview);
        Assert.Equal(now.AddMinutes(-1), conversation.LastMessageAt);
        var contact = await QueryAsync(tenant, db => db.Contacts.SingleAsync(c => c.Id == conversation.ContactId));
        Assert.True(contact.WhatsAppOptIn);
        Assert.Equal(now.AddMinutes(-2), contact.WhatsAppOptInAt);
    }

    [Theory, Providers]
    public async Task TheKeptCounts_AgreeWithCountingTheRows_ThroughEveryKindOfChange(DatabaseProvider provider)
    {
        var (tenant, channelId) = await TenantWithWhatsAppAsync(servers, provider);
        var ids = new List<long>();
        for (var i = 0; i < 4; i++)
            ids.Add(await CustomerWritesAsync(tenant, channelId, $"1555000090{i}", $"Counted {i}", "hello"));
        await tenant.Owner.PatchJsonAsync($"/api/v1/conversations/{ids[0]}", new { status = "resolved" }, HttpStatusCode.OK);
        await tenant.Owner.PostJsonAsync($"/api/v1/conversations/{ids[1]}/assign", new { userId = tenant.OwnerId }, HttpStatusCode.OK);
        await tenant.Owner.PatchJsonAsync($"/api/v1/conversations/{ids[1]}", new { status = "pending" }, HttpStatusCode.OK);
        var doomed = (await tenant.Owner.GetJsonAsync($"/api/v1/conversations/{ids[2]}"))["contact"]!["id"]!.GetValue<long>();
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Owner.DeleteAsync($"/api/v1/contacts/{doomed}")).StatusCode); // its conversation goes too
        await CustomerWritesAsync(tenant, channelId, "15550000900", "Counted 0", "back again"); // reopens the resolved one

        // The channel filter forces counting the rows; without it the counts come from the kept counters.
        foreach (var assignee in new[] { "", "&assignee=unassigned", $"&assignee={tenant.OwnerId}" })
        {
            var kept = (await tenant.Owner.GetJsonAsync($"/api/v1/conversations?limit=1{assignee}"))["counts"]!.ToJsonString();
            var counted = (await tenant.Owner.GetJsonAsync($"/api/v1/conversations?limit=1&channelId={channelId}{assignee}"))["counts"]!.ToJsonString();
            Assert.Equal(counted, kept);
        }
        var all = (await tenant.Owner.GetJsonAsync("/api/v1/conversations?limit=1"))["counts"]!;
        Assert.Equal((1, 1, 1, 0), (all["new"]!.GetValue<int>(), all["open"]!.GetValue<int>(), all["pending"]!.GetValue<int>(), all["resolved"]!.GetValue<int>()));
    }

    [Theory, Providers]
    public async Task History_PagesBackwards_OldestFirstWithinAPage(DatabaseProvider provider)
    {
        var (tenant, channelId) = await TenantWithWhatsAppAsync(servers, provider);
        var start = tenant.Factory.Clock.GetUtcNow().AddMinutes(-10);
        long conversation = 0;
        for (var i = 1; i <= 5; i++)
            conversation = await CustomerWritesAsync(tenant, channelId, "15550000201", "Linus", $"message {i}", start.AddSeconds(i));

        var newest = await tenant.Owner.GetJsonAsync($"/api/v1/conversations/{conversation}/messages?limit=2");
        Assert.Equal(["message 4", "message 5"], newest.Items().Select(m => m!["text"]!.GetValue<string>()));
        var older = await tenant.Owner.GetJsonAsync($"/api/v1/conversations/{conversation}/messages?limit=2&before={newest["nextCursor"]}");
        Assert.Equal(["message 2", "message 3"], older.Items().Select(m => m!["text"]!.GetValue<string>()));
        var oldest = await tenant.Owner.GetJsonAsync($"/api/v1/conversations/{conversation}/messages?limit=2&before={older["nextCursor"]}");
        Assert.Equal(["message 1"], oldest.Items().Select(m => m!["text"]!.GetValue<string>()));
        Assert.Null(oldest["nextCursor"]);
        Assert.Equal("customer", oldest.Items()[0]!["senderType"]!.GetValue<string>());
    }

    [Theory, Providers]
    public async Task OutsideTheWindow_OnlyATemplateMayBeSent_AndBadBodiesChangeNothing(DatabaseProvider provider)
    {
        var (tenant, channelId) = await TenantWithWhatsAppAsync(servers, provider);
        var conversation = await CustomerWritesAsync(tenant, channelId, "15550000301", "Edsger", "hello", tenant.Factory.Clock.GetUtcNow().AddHours(-25));

        var refused = await (await tenant.Owner.PostAsync($"/api/v1/conversations/{conversation}/messages", Http.RawJson("{\"type\":\"text\",\"text\":\"Hi!\"}")))
            .JsonAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal("window_closed", refused["code"]!.GetValue<string>());
        foreach (var bad in new[] { "{\"type\":\"text\"}", "{\"type\":\"sticker\"}", "{\"type\":\"template\",\"template\":{}}", "{\"type\":\"text\",\"text\":" })
            Assert.Equal(HttpStatusCode.BadRequest, (await tenant.Owner.PostAsync($"/api/v1/conversations/{conversation}/messages", Http.RawJson(bad))).StatusCode);
        Assert.Equal(1, await QueryAsync(tenant, db => db.Messages.CountAsync(m => m.ConversationId == conversation)));

        var template = await tenant.Owner.PostJsonAsync($"/api/v1/conversations/{conversation}/messages",
            new { type = "template", template = new { name = "order_update", language = "en_US", parameters = new[] { "Edsger", "#42" } } }, HttpStatusCode.Accepted);
        Assert.Equal("pending", template["status"]!.GetValue<string>());
        Assert.True(template["isTemplate"]!.GetValue<bool>());
        Assert.Equal(["Edsger", "#42"], template["template"]!["parameters"]!.AsArray().Select(p => p!.GetValue<string>()));
        Assert.Equal("agent", template["senderType"]!.GetValue<string>());

        var withinWindow = await CustomerWritesAsync(tenant, channelId, "15550000302", "Barbara", "hello again");
        var reply = await tenant.Owner.PostJsonAsync($"/api/v1/conversations/{withinWindow}/messages", new { type = "text", text = "Hi Barbara" }, HttpStatusCode.Accepted);
        Assert.Equal("Hi Barbara", reply["text"]!.GetValue<string>());
        var summary = await tenant.Owner.GetJsonAsync($"/api/v1/conversations/{withinWindow}");
        Assert.Equal("open", summary["status"]!.GetValue<string>());
        Assert.NotNull(summary["firstResponseAt"]);
        Assert.Equal(0, summary["unreadCount"]!.GetValue<int>());
    }

    [Theory, Providers]
    public async Task TheSameIdempotencyKey_SendsOneMessage(DatabaseProvider provider)
    {
        var (tenant, channelId) = await TenantWithWhatsAppAsync(servers, provider);
        var conversation = await CustomerWritesAsync(tenant, channelId, "15550000351", "Ken", "hi");
        HttpRequestMessage Request() => new(HttpMethod.Post, $"/api/v1/conversations/{conversation}/messages")
        {
            Content = Http.RawJson("{\"type\":\"text\",\"text\":\"once\"}"), Headers = { { "Idempotency-Key", "retry-123" } },
        };
        var first = await (await tenant.Owner.SendAsync(Request())).JsonAsync(HttpStatusCode.Accepted);
        var second = await (await tenant.Owner.SendAsync(Request())).JsonAsync(HttpStatusCode.Accepted);
        Assert.Equal(first.Id(), second.Id());
        Assert.Equal(1, await QueryAsync(tenant, db => db.Messages.CountAsync(m => m.ConversationId == conversation && m.Direction == MessageDirection.Outbound)));
    }

    [Theory, Providers]
    public async Task ASendWhoseAnswerNeverCame_IsNotRepeated_ButFailsForTheAgentToCheck(DatabaseProvider provider)
    {
        // Background work is off: the test drives it by hand, so it can leave a send between handing over and hearing back.
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var factory = new SwitchboardFactory(database, new Dictionary<string, string?> { ["Jobs:Enabled"] = "false" });
        await using var meta = await FakeMeta.StartAsync();
        var tenant = await factory.CreateTenantAsync();
        var channel = await tenant.Owner.PostJsonAsync("/api/v1/channels", ChannelsTests.WhatsApp(apiBaseUrl: meta.BaseUrl), HttpStatusCode.Created);
        await SendWebhookAsync(tenant, channel.Id(), Inbound("wamid.unconfirmed.in", "16505551234", "Sheena", "Where is my order?", factory.Clock.GetUtcNow()));
        await factory.Services.GetRequiredService<WebhookProcessor>().RunBatchAsync(CancellationToken.None);
        var conversationId = await QueryAsync(tenant, db => db.Conversations.Select(c => c.Id).SingleAsync());
        var path = $"/api/v1/conversations/{conversationId}/messages";
        var reply = await tenant.Owner.PostJsonAsync(path, new { type = "text", text = "On its way" }, HttpStatusCode.Accepted);

        // A first attempt handed the message to Meta, and its node died before Meta's answer was recorded.
        await QueryAsync(tenant, db => db.Messages.Where(m => m.Id == reply.Id())
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.SendStartedAt, factory.Clock.GetUtcNow())));
        await RunLatestSendJobAsync(tenant);
        Assert.Equal(0, meta.Sent);
        var unconfirmed = await MessageAsync(tenant, path, reply.Id());
        Assert.Equal("failed", unconfirmed["status"]!.GetValue<string>());
        Assert.Equal(MessageSendJob.UnconfirmedCode, unconfirmed["errorCode"]!.GetValue<string>());

        // The agent checked with the customer and retries: sent, once.
        Assert.Equal(HttpStatusCode.Accepted, (await tenant.Owner.PostAsync($"{path}/{reply.Id()}/retry", null)).StatusCode);
        await RunLatestSendJobAsync(tenant);
        Assert.Equal(1, meta.Sent);
        Assert.Equal("sent", (await MessageAsync(tenant, path, reply.Id()))["status"]!.GetValue<string>());

        // A provider that cannot be reached never saw the request: the send stays pending, to be tried again.
        await tenant.Owner.PatchJsonAsync($"/api/v1/channels/{channel.Id()}", new { settings = new { apiBaseUrl = Nowhere } }, HttpStatusCode.OK);
        var later = await tenant.Owner.PostJsonAsync(path, new { type = "text", text = "One more thing" }, HttpStatusCode.Accepted);
        await Assert.ThrowsAsync<HttpRequestException>(() => RunLatestSendJobAsync(tenant));
        var pending = await QueryAsync(tenant, db => db.Messages.SingleAsync(m => m.Id == later.Id()));
        Assert.Equal(MessageStatus.Pending, pending.Status);
        Assert.Null(pending.SendStartedAt);
    }

    private static Task RunLatestSendJobAsync(TenantHandle tenant) => tenant.Factory.InTenantAsync(tenant.Id, async services =>
    {
        var job = await services.GetRequiredService<SwitchboardDbContext>().Jobs.Where(j => j.Type == MessageSendJob.JobType && j.TenantId == tenant.Id)
            .OrderByDescending(j => j.Id).FirstAsync();
        await services.GetServices<IJobHandler>().Single(h => h.Type == MessageSendJob.JobType).RunAsync(job,
            CancellationToken.None);
        return 0;
    });

    private static async Task<JsonNode> MessageAsync(TenantHandle tenant, string path, long messageId) =>
        (await tenant.Owner.GetJsonAsync(path)).Items().Single(m => m!["id"]!.GetValue<long>() == messageId)!;

    [Theory, Providers]
    public async Task StopOptsTheCustomerOut_AndStartOptsThemBackIn(DatabaseProvider provider)
    {
        var (tenant, channelId) = await TenantWithWhatsAppAsync(servers, provider);
        var conversation = await CustomerWritesAsync(tenant, channelId, "15550000401", "Margaret", " stop ");
        var refused = await (await tenant.Owner.PostAsync($"/api/v1/conversations/{conversation}/messages", Http.RawJson("{\"type\":\"text\",\"text\":\"Wait!\"}")))
            .JsonAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal("opted_out", refused["code"]!.GetValue<string>());
        var contact = (await tenant.Owner.GetJsonAsync("/api/v1/contacts?q=margaret")).Items().Single()!;
        Assert.False(contact["optIns"]!["whatsapp"]!["optedIn"]!.GetValue<bool>());
        Assert.Equal("keyword:STOP", contact["optIns"]!["whatsapp"]!["source"]!.GetValue<string>());

        await CustomerWritesAsync(tenant, channelId, "15550000401", "Margaret", "START");
        await tenant.Owner.PostJsonAsync($"/api/v1/conversations/{conversation}/messages", new { type = "text", text = "Welcome back" }, HttpStatusCode.Accepted);
    }

    [Theory, Providers]
    public async Task DeliveryReports_MoveOnlyForward_InAnyOrder_AndEachIsKeptOnce(DatabaseProvider provider)
    {
        var (tenant, channelId) = await TenantWithWhatsAppAsync(servers, provider);
        var conversation = await CustomerWritesAsync(tenant, channelId, "15550000501", "Donald", "hi");
        var now = tenant.Factory.Clock.GetUtcNow();
        var sent = await SeedOutboundAsync(tenant, conversation, channelId, "wamid.out-" + Guid.NewGuid().ToString("N"));

        await SendWebhookAsync(tenant, channelId, Status(sent.Wamid, "read", now.AddSeconds(3)));
        await SendWebhookAsync(tenant, channelId, Status(sent.Wamid, "delivered", now.AddSeconds(2)));
        await SendWebhookAsync(tenant, channelId, Status(sent.Wamid, "read", now.AddSeconds(3)) + " "); // a re-delivery with other bytes
        await SendWebhookAsync(tenant, channelId, Status(sent.Wamid, "failed", now.AddSeconds(4), errorCode: 131026));
        await WhatsAppWebhookTests.WaitForAsync(tenant.Factory, tenant.Id, async db => await db.WebhookEvents.CountAsync(e => e.ProcessedAt == null) == 0);

        var message = await QueryAsync(tenant, db => db.Messages.SingleAsync(m => m.Id == sent.Id));
        Assert.Equal(MessageStatus.Read, message.Status);
        Assert.Equal(now.AddSeconds(2).ToUnixTimeSeconds(), message.DeliveredAt!.Value.ToUnixTimeSeconds());
        var history = await QueryAsync(tenant, db => db.MessageStatusUpdates.Where(u => u.MessageId == sent.Id).OrderBy(u => u.StatusAt).Select(u => u.Status).ToListAsync());
        Assert.Equal([MessageStatus.Delivered, MessageStatus.Read, MessageStatus.Failed], history);

        var other = await SeedOutboundAsync(tenant, conversation, channelId, "wamid.out-" + Guid.NewGuid().ToString("N"));
        await SendWebhookAsync(tenant, channelId, Status(other.Wamid, "failed", now.AddSeconds(5), errorCode: 131026));
        await SendWebhookAsync(tenant, channelId, Status(other.Wamid, "delivered", now.AddSeconds(4)));
        await WhatsAppWebhookTests.WaitForAsync(tenant.Factory, tenant.Id, async db => await db.WebhookEvents.CountAsync(e => e.ProcessedAt == null) == 0);
        var failed = (await tenant.Owner.GetJsonAsync($"/api/v1/conversations/{conversation}/messages")).Items().Single(m => m!["id"]!.GetValue<long>() == other.Id)!;
        Assert.Equal("failed", failed["status"]!.GetValue<string>());
        Assert.Equal("131026", failed["errorCode"]!.GetValue<string>());
        Assert.Equal("The recipient could not be reached.", failed["errorMessage"]!.GetValue<string>());
        Assert.NotNull(failed["deliveredAt"]);
    }

    [Theory, Providers]
    public async Task AReportThatOvertakesItsMessage_IsAppliedOnceTheMessageIsKnown(DatabaseProvider provider)
    {
        var (tenant, channelId) = await TenantWithWhatsAppAsync(servers, provider);
        var conversation = await CustomerWritesAsync(tenant, channelId, "15550000601", "Barbara", "hi");
        var wamid = "wamid.early-" + Guid.NewGuid().ToString("N");
        await SendWebhookAsync(tenant, channelId, Status(wamid, "delivered", tenant.Factory.Clock.GetUtcNow()));
        await Task.Delay(500);
        var sent = await SeedOutboundAsync(tenant, conversation, channelId, wamid);
        for (var i = 0; i < 50 && (await QueryAsync(tenant, db => db.Messages.SingleAsync(m => m.Id == sent.Id))).Status != MessageStatus.Delivered; i++)
        {
            tenant.Factory.Clock.Advance(TimeSpan.FromSeconds(5)); // the job's retry is due
            await Task.Delay(200);
        }
        Assert.Equal(MessageStatus.Delivered, (await QueryAsync(tenant, db => db.Messages.SingleAsync(m => m.Id == sent.Id))).Status);
    }

    [Theory, Providers]
    public async Task ASnoozedConversation_WakesUpOpenWhenItsTimeComes(DatabaseProvider provider)
    {
        var (tenant, channelId) = await TenantWithWhatsAppAsync(servers, provider);
        var conversation = await CustomerWritesAsync(tenant, channelId, "15550000651", "Hedy", "call me tomorrow");
        var until = tenant.Factory.Clock.GetUtcNow().AddHours(1);
        var refused = await (await tenant.Owner.PatchAsync($"/api/v1/conversations/{conversation}", Http.RawJson("{\"status\":\"snoozed\"}"))).JsonAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(refused["errors"]!["snoozedUntil"]);
        var snoozed = await tenant.Owner.PatchJsonAsync($"/api/v1/conversations/{conversation}", new { status = "snoozed", snoozedUntil = until }, HttpStatusCode.OK);
        Assert.Equal("snoozed", snoozed["status"]!.GetValue<string>());

        var clock = tenant.Factory.Services.GetRequiredService<InboxClock>();
        await clock.TickAsync(CancellationToken.None);
        Assert.Equal("snoozed", (await tenant.Owner.GetJsonAsync($"/api/v1/conversations/{conversation}"))["status"]!.GetValue<string>());
        tenant.Factory.Clock.Advance(TimeSpan.FromHours(2));
        await clock.TickAsync(CancellationToken.None);
        var woken = await tenant.Owner.GetJsonAsync($"/api/v1/conversations/{conversation}");
        Assert.Equal("open", woken["status"]!.GetValue<string>());
        Assert.Null(woken["snoozedUntil"]);
    }

    [Fact]
    public void StatusesOnlyAdvance()
    {
        Assert.True(MessageStatuses.Advances(MessageStatus.Pending, MessageStatus.Sent));
        Assert.True(MessageStatuses.Advances(MessageStatus.Sent, MessageStatus.Read));
        Assert.False(MessageStatuses.Advances(MessageStatus.Delivered, MessageStatus.Sent));
        Assert.False(MessageStatuses.Advances(MessageStatus.Read, MessageStatus.Failed));
        Assert.False(MessageStatuses.Advances(MessageStatus.Failed, MessageStatus.Delivered));
        Assert.True(MessageStatuses.Advances(MessageStatus.Failed, MessageStatus.Read));
        Assert.True(MessageStatuses.Advances(MessageStatus.Delivered, MessageStatus.Failed));
    }

    [Theory, Providers]
    public async Task TheHub_TellsTheTenantAndTheConversationsWatchers_AndNoOtherTenant(DatabaseProvider provider)
    {
        var (tenant, channelId) = await TenantWithWhatsAppAsync(servers, provider);
        var other = await tenant.Factory.CreateTenantAsync();
        var ownerKey = tenant.Owner.DefaultRequestHeaders.Authorization!.Parameter!;
        await using var agent = await HubClient.ConnectAsync(tenant.Factory, ownerKey);
        await using var stranger = await HubClient.ConnectAsync(tenant.Factory, other.Owner.DefaultRequestHeaders.Authorization!.Parameter!);

        var conversation = await CustomerWritesAsync(tenant, channelId, "15550000701", "Frances", "Is anyone there?");
        var update = await agent.NextAsync("conversationUpdated", TimeSpan.FromSeconds(10));
        Assert.Equal(conversation, update!["id"]!.GetValue<long>());
        Assert.Equal("Is anyone there?", update["lastMessagePreview"]!.GetValue<string>());

        await agent.InvokeAsync("JoinConversation", conversation);
        await Assert.ThrowsAsync<InvalidOperationException>(() => stranger.InvokeAsync("JoinConversation", conversation));
        await tenant.Owner.PostJsonAsync($"/api/v1/conversations/{conversation}/messages", new { type = "text", text = "Yes!" }, HttpStatusCode.Accepted);
        var created = await agent.NextAsync("messageCreated", TimeSpan.FromSeconds(10));
        Assert.Equal("Yes!", created!["message"]!["text"]!.GetValue<string>());
        await Assert.ThrowsAsync<OperationCanceledException>(() => stranger.NextAsync("conversationUpdated", TimeSpan.FromSeconds(1)));
    }

    private static async Task<(long Id, string Wamid)> SeedOutboundAsync(TenantHandle tenant, long conversationId, long channelId, string wamid)
    {
        var id = await QueryAsync(tenant, async db =>
        {
            var message = new Message
            {
                ConversationId = conversationId, ChannelId = channelId, ProviderMessageId = wamid, Direction = MessageDirection.Outbound,
                Type = MessageType.Text, Text = "Sent earlier", SenderType = SenderType.Agent, Status = MessageStatus.Pending,
                CreatedAt = tenant.Factory.Clock.GetUtcNow(), UpdatedAt = tenant.Factory.Clock.GetUtcNow(),
            };
            db.Messages.Add(message);
            await db.SaveChangesAsync();
            return message.Id;
        });
        return (id, wamid);
    }
}
