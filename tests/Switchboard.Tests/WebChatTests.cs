using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Channels.WebChat;
using Switchboard.Platform.Database;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests;

/// <summary>The website chat end to end: a visitor's session and messages reach the inbox, agents' replies reach the
/// visitor's hub live, receipts move the reply's status, and the public API keeps to its CORS origins, rate limits and
/// the visitor's own thread.</summary>
[Collection(ServerCollection.Name)]
public sealed class WebChatTests(Servers servers)
{
    private const string Shop = "https://shop.example";
    private const string Evil = "https://evil.example";

    private static async Task<(TenantHandle Tenant, long ChannelId)> TenantWithWebChatAsync(Servers servers, DatabaseProvider provider)
    {
        var tenant = await (await servers.ForAsync(provider)).CreateTenantAsync();
        var channel = await tenant.Owner.PostJsonAsync("/api/v1/channels", new
        {
            type = "webchat", name = "Website", settings = new { allowedOrigins = new[] { Shop }, greeting = "Hello from Acme!", primaryColor = "#112233" },
        }, HttpStatusCode.Created);
        return (tenant, channel.Id());
    }

    /// <summary>A browser on <paramref name="origin"/>: anonymous, or the visitor holding <paramref name="token"/>.</summary>
    private static HttpClient Browser(SwitchboardFactory factory, string? origin, string? token = null)
    {
        var client = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = false });
        if (origin is not null)
            client.DefaultRequestHeaders.Add("Origin", origin);
        if (token is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Starts a visitor's session from <paramref name="origin"/>; answers its id, token, greeting and colours.</summary>
    internal static Task<JsonObject> StartAsync(SwitchboardFactory factory, long channelId, string origin, object? body = null) =>
        Browser(factory, origin).PostJsonAsync($"/widget-api/{channelId}/sessions", body ?? new { }, HttpStatusCode.Created);

    private static string Token(JsonObject session) => session["token"]!.GetValue<string>();

    private static Task<T> QueryAsync<T>(TenantHandle tenant, Func<SwitchboardDbContext, Task<T>> query) =>
        tenant.Factory.InTenantAsync(tenant.Id, services => query(services.GetRequiredService<SwitchboardDbContext>()));

    private static async Task<string> AgentSeesStatusAsync(TenantHandle tenant, long conversationId, long messageId, string status)
    {
        for (var i = 0; i < 100; i++)
        {
            var history = await tenant.Owner.GetJsonAsync($"/api/v1/conversations/{conversationId}/messages");
            var current = history.Items().Single(m => m!["id"]!.GetValue<long>() == messageId)!["status"]!.GetValue<string>();
            if (current == status)
                return current;
            await Task.Delay(100);
        }
        throw new TimeoutException($"Message {messageId} never reached {status}.");
    }

    [Theory, Providers]
    public async Task AVisitorsChat_ReachesTheInbox_AndTheAgentsReplyReachesTheVisitorLive_ThenIsRead(DatabaseProvider provider)
    {
        var (tenant, channelId) = await TenantWithWebChatAsync(servers, provider);
        var session = await StartAsync(tenant.Factory, channelId, Shop, new { name = "Ada Lovelace", email = "Ada@Example.com" });
        Assert.Equal("Hello from Acme!", session["greeting"]!.GetValue<string>());
        Assert.Equal("#112233", session["colors"]!["primary"]!.GetValue<string>());
        Assert.Equal("#ffffff", session["colors"]!["background"]!.GetValue<string>());
        Assert.StartsWith("wct_", Token(session));
        var stored = await QueryAsync(tenant, db => db.ChatSessions.SingleAsync());
        Assert.Equal(VisitorAuthentication.Hash(Token(session)), stored.TokenHash);
        Assert.Equal(Shop, stored.Origin);

        if (provider == DatabaseProvider.Postgres)
            await RealtimeClusterTests.WaitUntilListeningAsync(tenant.Factory); // events reach the hub through LISTEN
        await using var widget = await HubClient.ConnectAsync(tenant.Factory, Token(session), WidgetHub.Path);
        var visitor = Browser(tenant.Factory, Shop, Token(session));
        var sent = await visitor.PostJsonAsync($"/widget-api/{channelId}/messages", new { text = "  Where is my order?  " }, HttpStatusCode.Created);
        Assert.Equal("customer", sent["senderType"]!.GetValue<string>());
        Assert.Equal("Where is my order?", sent["text"]!.GetValue<string>());

        var conversation = (await tenant.Owner.GetJsonAsync($"/api/v1/conversations?channelId={channelId}")).Items().Single()!;
        var conversationId = conversation["id"]!.GetValue<long>();
        Assert.Equal("Ada Lovelace", conversation["contact"]!["name"]!.GetValue<string>());
        Assert.Equal("ada@example.com", conversation["contact"]!["email"]!.GetValue<string>());
        Assert.Equal("webchat", conversation["channel"]!["type"]!.GetValue<string>());
        Assert.Equal("Where is my order?", conversation["lastMessagePreview"]!.GetValue<string>());
        Assert.Equal(1, conversation["unreadCount"]!.GetValue<int>());

        // An internal note and a reply: the visitor gets the reply live, and never the note.
        await tenant.Owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/messages", new { type = "note", text = "VIP: handle with care" }, HttpStatusCode.Created);
        var reply = await tenant.Owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/messages", new { type = "text", text = "It ships <today>." },
            HttpStatusCode.Accepted);
        JsonNode? live;
        do
            live = await widget.NextAsync(VisitorThread.MessageEvent, TimeSpan.FromSeconds(30));
        while (live!["senderType"]!.GetValue<string>() != "agent");
        Assert.Equal(reply.Id(), live["id"]!.GetValue<long>());
        Assert.Equal("It ships <today>.", live["text"]!.GetValue<string>());
        Assert.Equal("sent", live["status"]!.GetValue<string>());
        await AgentSeesStatusAsync(tenant, conversationId, reply.Id(), "sent");

        var thread = await visitor.GetJsonAsync($"/widget-api/{channelId}/messages");
        Assert.Equal(["customer", "agent"], thread.Items().Select(m => m!["senderType"]!.GetValue<string>()));
        Assert.DoesNotContain("VIP", thread.ToJsonString());

        // Receipts: the widget got it (delivered), then the visitor saw it (read); both reach the agent and the widget.
        await widget.InvokeAsync("Delivered", reply.Id());
        await AgentSeesStatusAsync(tenant, conversationId, reply.Id(), "delivered");
        Assert.Equal("delivered", (await widget.NextAsync(VisitorThread.StatusEvent, TimeSpan.FromSeconds(30)))!["status"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NoContent, (await visitor.PostAsync($"/widget-api/{channelId}/read", null)).StatusCode);
        await AgentSeesStatusAsync(tenant, conversationId, reply.Id(), "read");
        var status = await widget.NextAsync(VisitorThread.StatusEvent, TimeSpan.FromSeconds(30));
        Assert.Equal(reply.Id(), status!["messageId"]!.GetValue<long>());
        Assert.Equal("read", status["status"]!.GetValue<string>());
        Assert.Equal(0, (await QueryAsync(tenant, db => db.ChatSessions.SingleAsync())).UnreadCount);
    }

    [Theory, Providers]
    public async Task Cors_AnswersOnlyTheChannelsOrigins_AndRefusesWritesFromOthers(DatabaseProvider provider)
    {
        var (tenant, channelId) = await TenantWithWebChatAsync(servers, provider);
        var anonymous = Browser(tenant.Factory, null);

        async Task<HttpResponseMessage> PreflightAsync(string origin)
        {
            var preflight = new HttpRequestMessage(HttpMethod.Options, $"/widget-api/{channelId}/messages");
            preflight.Headers.Add("Origin", origin);
            preflight.Headers.Add("Access-Control-Request-Method", "POST");
            preflight.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
            return await anonymous.SendAsync(preflight);
        }
        var allowed = await PreflightAsync(Shop);
        Assert.Equal(HttpStatusCode.NoContent, allowed.StatusCode);
        Assert.Equal(Shop, allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("POST", allowed.Headers.GetValues("Access-Control-Allow-Methods").Single());
        Assert.Contains("authorization", allowed.Headers.GetValues("Access-Control-Allow-Headers").Single(), StringComparison.OrdinalIgnoreCase);
        Assert.False((await PreflightAsync(Evil)).Headers.Contains("Access-Control-Allow-Origin"));

        var started = await Browser(tenant.Factory, Shop).PostAsJsonAsync($"/widget-api/{channelId}/sessions", new { name = "Grace" });
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        Assert.Equal(Shop, started.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("Retry-After", started.Headers.GetValues("Access-Control-Expose-Headers").Single());
        var token = Token(await started.JsonAsync(HttpStatusCode.Created));

        foreach (var origin in new string?[] { Evil, null })
        {
            var refused = await Browser(tenant.Factory, origin).PostAsJsonAsync($"/widget-api/{channelId}/sessions", new { name = "Mallory" });
            await refused.JsonAsync(HttpStatusCode.Forbidden);
            Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
            var write = await Browser(tenant.Factory, origin, token).PostAsJsonAsync($"/widget-api/{channelId}/messages", new { text = "injected" });
            await write.JsonAsync(HttpStatusCode.Forbidden);
        }
        // Reads are answered, but without CORS headers the other site's page cannot see them.
        var settings = await Browser(tenant.Factory, Evil).GetAsync($"/widget-api/{channelId}");
        Assert.Equal("Hello from Acme!", (await settings.JsonAsync(HttpStatusCode.OK))["greeting"]!.GetValue<string>());
        Assert.False(settings.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.Equal(1, await QueryAsync(tenant, db => db.ChatSessions.CountAsync()));
        Assert.Equal(0, await QueryAsync(tenant, db => db.Messages.CountAsync()));

        // The server's own demo page may use its channel; other channels and kinds are not found.
        await StartAsync(tenant.Factory, channelId, "http://localhost");
        var demo = await anonymous.GetAsync($"/widget/{channelId}");
        Assert.Contains($"/widget/{channelId}.js\" async></script>", await demo.Content.ReadAsStringAsync());
        var script = await anonymous.GetAsync($"/widget/{channelId}.js");
        Assert.True(script.StatusCode == HttpStatusCode.NotFound || script.Content.Headers.ContentType?.MediaType == "text/javascript");
        var whatsapp = await tenant.Owner.PostJsonAsync("/api/v1/channels", ChannelsTests.WhatsApp(apiBaseUrl: MessagingTests.Nowhere), HttpStatusCode.Created);
        foreach (var url in new[] { $"/widget-api/{whatsapp.Id()}/sessions", "/widget-api/999999999/sessions" })
            await (await Browser(tenant.Factory, Shop).PostAsJsonAsync(url, new { })).JsonAsync(HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/widget/{whatsapp.Id()}")).StatusCode);
        await tenant.Owner.PatchJsonAsync($"/api/v1/channels/{channelId}", new { status = "disabled" }, HttpStatusCode.OK);
        await (await Browser(tenant.Factory, Shop).PostAsJsonAsync($"/widget-api/{channelId}/sessions", new { })).JsonAsync(HttpStatusCode.NotFound);
        await (await Browser(tenant.Factory, Shop, token).GetAsync($"/widget-api/{channelId}/messages")).JsonAsync(HttpStatusCode.Unauthorized);
    }

    [Theory, Providers]
    public async Task RateLimits_RefuseTooManySessionStartsPerIp_AndTooManyMessagesPerSession_With429AndRetryAfter(DatabaseProvider provider)
    {
        var (tenant, channelId) = await TenantWithWebChatAsync(servers, provider);
        var options = tenant.Factory.Services.GetRequiredService<WebChatOptions>();

        // The test server has no client address of its own: each start here comes from the one it is given.
        Task<Microsoft.AspNetCore.Http.HttpContext> StartFromAsync(string ip) =>
            tenant.Factory.Server.SendAsync(c =>
            {
                c.Request.Method = "POST";
                c.Request.Path = $"/widget-api/{channelId}/sessions";
                c.Request.Headers.Origin = Shop;
                c.Request.ContentType = "application/json";
                c.Request.Body = new MemoryStream("{}"u8.ToArray());
                c.Connection.RemoteIpAddress = IPAddress.Parse(ip);
            });
        for (var i = 0; i < options.SessionStartsPerMinutePerIp; i++)
            Assert.Equal(201, (await StartFromAsync("203.0.113.7")).Response.StatusCode);
        var refused = (await StartFromAsync("203.0.113.7")).Response;
        Assert.Equal(429, refused.StatusCode);
        Assert.True(int.Parse(refused.Headers.RetryAfter.ToString(), System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Equal(201, (await StartFromAsync("203.0.113.8")).Response.StatusCode); // another address is not held back

        var visitor = Browser(tenant.Factory, Shop, Token(await StartAsync(tenant.Factory, channelId, Shop)));
        for (var i = 0; i < options.MessagesPerMinutePerSession; i++)
            await visitor.PostJsonAsync($"/widget-api/{channelId}/messages", new { text = $"message {i}" }, HttpStatusCode.Created);
        var tooMany = await visitor.PostAsJsonAsync($"/widget-api/{channelId}/messages", new { text = "one more" });
        var problem = await tooMany.JsonAsync(HttpStatusCode.TooManyRequests);
        Assert.Equal("Too many requests", problem["title"]!.GetValue<string>());
        Assert.True(tooMany.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal(Shop, tooMany.Headers.GetValues("Access-Control-Allow-Origin").Single());
        // Another session of the same visitor's address is counted on its own.
        var other = Browser(tenant.Factory, Shop, Token(await StartAsync(tenant.Factory, channelId, Shop)));
        await other.PostJsonAsync($"/widget-api/{channelId}/messages", new { text = "hello" }, HttpStatusCode.Created);
    }

    [Theory, Providers]
    public async Task AVisitorsToken_ReadsOnlyTheirOwnThread_EvenWithTheSameEmail(DatabaseProvider provider)
    {
        var (tenant, channelId) = await TenantWithWebChatAsync(servers, provider);
        var first = await StartAsync(tenant.Factory, channelId, Shop, new { email = "grace@example.com" });
        var second = await StartAsync(tenant.Factory, channelId, Shop, new { name = "Not Grace", email = "grace@example.com" });
        var firstVisitor = Browser(tenant.Factory, Shop, Token(first));
        var secondVisitor = Browser(tenant.Factory, Shop, Token(second));
        await firstVisitor.PostJsonAsync($"/widget-api/{channelId}/messages", new { text = "my account number is 12345" }, HttpStatusCode.Created);
        await secondVisitor.PostJsonAsync($"/widget-api/{channelId}/messages", new { text = "hello" }, HttpStatusCode.Created);

        // One contact (found by email), two conversations: neither visitor sees the other's messages.
        var conversations = (await tenant.Owner.GetJsonAsync($"/api/v1/conversations?channelId={channelId}")).Items();
        Assert.Equal(2, conversations.Count);
        Assert.Single(conversations.Select(c => c!["contact"]!["id"]!.GetValue<long>()).Distinct());
        Assert.Equal(["hello"], (await secondVisitor.GetJsonAsync($"/widget-api/{channelId}/messages")).Items().Select(m => m!["text"]!.GetValue<string>()));
        Assert.Equal(["my account number is 12345"],
            (await firstVisitor.GetJsonAsync($"/widget-api/{channelId}/messages")).Items().Select(m => m!["text"]!.GetValue<string>()));

        // A token is good only on its own channel, and only as itself.
        var otherChannel = await tenant.Owner.PostJsonAsync("/api/v1/channels", new
        {
            type = "webchat", name = "Other site", settings = new { allowedOrigins = new[] { Shop } },
        }, HttpStatusCode.Created);
        await (await firstVisitor.GetAsync($"/widget-api/{otherChannel.Id()}/messages")).JsonAsync(HttpStatusCode.Unauthorized);
        await (await Browser(tenant.Factory, Shop, Token(first) + "x").GetAsync($"/widget-api/{channelId}/messages")).JsonAsync(HttpStatusCode.Unauthorized);
        await (await Browser(tenant.Factory, Shop).GetAsync($"/widget-api/{channelId}/messages")).JsonAsync(HttpStatusCode.Unauthorized);
        await (await Browser(tenant.Factory, Shop, Token(first) + "x").PostAsync($"/widget-api/{channelId}/read", null)).JsonAsync(HttpStatusCode.Unauthorized);
        await Assert.ThrowsAnyAsync<Exception>(() => HubClient.ConnectAsync(tenant.Factory, Token(first) + "x", WidgetHub.Path));
        // The inbox's API keys are no visitor tokens, nor the other way round.
        await (await Browser(tenant.Factory, Shop, tenant.Owner.DefaultRequestHeaders.Authorization!.Parameter).GetAsync($"/widget-api/{channelId}/messages"))
            .JsonAsync(HttpStatusCode.Unauthorized);
        await (await Browser(tenant.Factory, null, Token(first)).GetAsync("/api/v1/conversations")).JsonAsync(HttpStatusCode.Unauthorized);
    }

    [Theory, Providers]
    public async Task AVisitor_EndsTheChat_AgentsSeeItLive_AndTheTokenStillReadsButNoLongerSends(DatabaseProvider provider)
    {
        var (tenant, channelId) = await TenantWithWebChatAsync(servers, provider);
        var session = await StartAsync(tenant.Factory, channelId, Shop, new { name = "Ada" });
        var visitor = Browser(tenant.Factory, Shop, Token(session));
        await visitor.PostJsonAsync($"/widget-api/{channelId}/messages", new { text = "Thanks, that's all" }, HttpStatusCode.Created);
        var conversationId = (await tenant.Owner.GetJsonAsync($"/api/v1/conversations?channelId={channelId}")).Items().Single()!["id"]!.GetValue<long>();
        var before = await tenant.Owner.GetJsonAsync($"/api/v1/conversations/{conversationId}");
        Assert.Null(before["chatEndedAt"]);

        if (provider == DatabaseProvider.Postgres)
            await RealtimeClusterTests.WaitUntilListeningAsync(tenant.Factory);
        await using var agent = await HubClient.ConnectAsync(tenant.Factory, tenant.Owner.DefaultRequestHeaders.Authorization!.Parameter!);
        await agent.InvokeAsync("JoinConversation", conversationId);
        await using var otherTab = await HubClient.ConnectAsync(tenant.Factory, Token(session), WidgetHub.Path);
        tenant.Factory.Clock.Advance(TimeSpan.FromSeconds(1));
        var endedAt = tenant.Factory.Clock.GetUtcNow();
        // A double click (or two tabs at once): both are answered, and the chat ends once.
        var ends = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => visitor.PostAsync($"/widget-api/{channelId}/end", null)));
        Assert.All(ends, end => Assert.Equal(HttpStatusCode.NoContent, end.StatusCode));

        var stored = await QueryAsync(tenant, db => db.ChatSessions.SingleAsync());
        Assert.Equal(ChatSessionStatus.Ended, stored.Status);
        Assert.Equal(endedAt, stored.EndedAt!.Value, TimeSpan.FromMilliseconds(1));
        // The visitor's other tab is told; the agents watching get the system message and the conversation's new state.
        var ended = await otherTab.NextAsync(VisitorThread.EndedEvent, TimeSpan.FromSeconds(30));
        Assert.Equal(endedAt, ended!["endedAt"]!.GetValue<DateTimeOffset>(), TimeSpan.FromMilliseconds(1));
        JsonNode? created;
        do
            created = await agent.NextAsync("messageCreated", TimeSpan.FromSeconds(30));
        while (created!["message"]!["senderType"]!.GetValue<string>() != "system");
        Assert.Equal(WidgetApi.EndedText, created["message"]!["text"]!.GetValue<string>());
        JsonNode? update;
        do
            update = await agent.NextAsync("conversationUpdated", TimeSpan.FromSeconds(30));
        while (update!["chatEndedAt"] is null);
        Assert.Equal(conversationId, update["id"]!.GetValue<long>());

        // The thread has it; the conversation's unread count, preview and place in the list are the customer's last words.
        var history = (await tenant.Owner.GetJsonAsync($"/api/v1/conversations/{conversationId}/messages")).Items();
        Assert.Equal([("customer", "Thanks, that's all"), ("system", WidgetApi.EndedText)],
            history.Select(m => (m!["senderType"]!.GetValue<string>(), m["text"]!.GetValue<string>())));
        var after = await tenant.Owner.GetJsonAsync($"/api/v1/conversations/{conversationId}");
        Assert.Equal(endedAt, after["chatEndedAt"]!.GetValue<DateTimeOffset>(), TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, after["unreadCount"]!.GetValue<int>());
        Assert.Equal(2, after["messageCount"]!.GetValue<int>());
        Assert.Equal("Thanks, that's all", after["lastMessagePreview"]!.GetValue<string>());
        Assert.Equal(before["lastMessageAt"]!.GetValue<DateTimeOffset>(), after["lastMessageAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal("new", after["status"]!.GetValue<string>());

        // The token still reads the thread (without the system message) and learns the chat ended, but sends nothing.
        var thread = await visitor.GetJsonAsync($"/widget-api/{channelId}/messages");
        Assert.Equal(["Thanks, that's all"], thread.Items().Select(m => m!["text"]!.GetValue<string>()));
        Assert.Equal(endedAt, thread["endedAt"]!.GetValue<DateTimeOffset>(), TimeSpan.FromMilliseconds(1));
        var refused = await visitor.PostJsonAsync($"/widget-api/{channelId}/messages", new { text = "One more thing" }, HttpStatusCode.Conflict);
        Assert.Contains("start a new chat", refused["detail"]!.GetValue<string>());
        Assert.Equal(2, await QueryAsync(tenant, db => db.Messages.CountAsync()));
        await Assert.ThrowsAsync<InvalidOperationException>(() => otherTab.InvokeAsync("Delivered", 1L));

        // Ending it again changes nothing.
        tenant.Factory.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.NoContent, (await visitor.PostAsync($"/widget-api/{channelId}/end", null)).StatusCode);
        Assert.Equal(endedAt, (await QueryAsync(tenant, db => db.ChatSessions.SingleAsync())).EndedAt!.Value, TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, await QueryAsync(tenant, db => db.Messages.CountAsync()));
        Assert.Equal(2, (await tenant.Owner.GetJsonAsync($"/api/v1/conversations/{conversationId}"))["messageCount"]!.GetValue<int>());

        // An agent's reply cannot reach the visitor any more; a new chat works as before, in a conversation of its own.
        var reply = await tenant.Owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/messages", new { type = "text", text = "Bye!" },
            HttpStatusCode.Accepted);
        await AgentSeesStatusAsync(tenant, conversationId, reply.Id(), "failed");
        var again = Browser(tenant.Factory, Shop, Token(await StartAsync(tenant.Factory, channelId, Shop, new { name = "Ada" })));
        await again.PostJsonAsync($"/widget-api/{channelId}/messages", new { text = "Actually, one more thing" }, HttpStatusCode.Created);
        var fresh = await again.GetJsonAsync($"/widget-api/{channelId}/messages");
        Assert.Equal(["Actually, one more thing"], fresh.Items().Select(m => m!["text"]!.GetValue<string>()));
        Assert.Null(fresh["endedAt"]);
        var conversations = (await tenant.Owner.GetJsonAsync($"/api/v1/conversations?channelId={channelId}")).Items();
        Assert.Equal(2, conversations.Count);
        Assert.Null(conversations.Single(c => c!["id"]!.GetValue<long>() != conversationId)!["chatEndedAt"]);
    }

    [Theory, Providers]
    public async Task OnlyTheVisitorsOwnToken_OnItsOwnChannel_FromAnAllowedSite_EndsTheirChat(DatabaseProvider provider)
    {
        var (tenant, channelId) = await TenantWithWebChatAsync(servers, provider);
        var (_, strangerChannelId) = await TenantWithWebChatAsync(servers, provider);
        var otherChannel = await tenant.Owner.PostJsonAsync("/api/v1/channels", new
        {
            type = "webchat", name = "Other site", settings = new { allowedOrigins = new[] { Shop } },
        }, HttpStatusCode.Created);
        var mine = Token(await StartAsync(tenant.Factory, channelId, Shop));
        var theirs = Token(await StartAsync(tenant.Factory, channelId, Shop));

        await (await Browser(tenant.Factory, Shop, mine).PostAsync($"/widget-api/{otherChannel.Id()}/end", null)).JsonAsync(HttpStatusCode.Unauthorized);
        await (await Browser(tenant.Factory, Shop, mine).PostAsync($"/widget-api/{strangerChannelId}/end", null)).JsonAsync(HttpStatusCode.Unauthorized);
        await (await Browser(tenant.Factory, Shop).PostAsync($"/widget-api/{channelId}/end", null)).JsonAsync(HttpStatusCode.Unauthorized);
        await (await Browser(tenant.Factory, Evil, mine).PostAsync($"/widget-api/{channelId}/end", null)).JsonAsync(HttpStatusCode.Forbidden);
        await (await Browser(tenant.Factory, Shop, tenant.Owner.DefaultRequestHeaders.Authorization!.Parameter).PostAsync($"/widget-api/{channelId}/end", null))
            .JsonAsync(HttpStatusCode.Unauthorized);
        Assert.Equal([ChatSessionStatus.Active, ChatSessionStatus.Active], await QueryAsync(tenant, db => db.ChatSessions.Select(s => s.Status).ToListAsync()));

        // Another visitor ending their chat leaves this one going.
        Assert.Equal(HttpStatusCode.NoContent, (await Browser(tenant.Factory, Shop, theirs).PostAsync($"/widget-api/{channelId}/end", null)).StatusCode);
        await Browser(tenant.Factory, Shop, mine).PostJsonAsync($"/widget-api/{channelId}/messages", new { text = "Still here" }, HttpStatusCode.Created);
        var sessions = await QueryAsync(tenant, db => db.ChatSessions.OrderBy(s => s.Id).Select(s => new { s.TokenHash, s.Status }).ToListAsync());
        Assert.Equal([(VisitorAuthentication.Hash(mine), ChatSessionStatus.Active), (VisitorAuthentication.Hash(theirs), ChatSessionStatus.Ended)],
            sessions.Select(s => (s.TokenHash, s.Status)));
    }

    [Theory, Providers]
    public async Task BadInput_IsA400Problem_AndStoresNothing(DatabaseProvider provider)
    {
        var (tenant, channelId) = await TenantWithWebChatAsync(servers, provider);
        var browser = Browser(tenant.Factory, Shop);
        var badStarts = new object[] { new { email = "not-an-email" }, new { name = new string('n', WidgetApi.MaxNameLength + 1) } };
        foreach (var body in badStarts)
            Assert.NotNull((await browser.PostJsonAsync($"/widget-api/{channelId}/sessions", body, HttpStatusCode.BadRequest))["errors"]);
        await (await browser.PostAsync($"/widget-api/{channelId}/sessions", Http.RawJson("{\"name\":"))).JsonAsync(HttpStatusCode.BadRequest);

        var visitor = Browser(tenant.Factory, Shop, Token(await StartAsync(tenant.Factory, channelId, Shop)));
        foreach (var text in new string?[] { null, "   ", new('x', WidgetApi.MaxTextLength + 1) })
        {
            var problem = await visitor.PostJsonAsync($"/widget-api/{channelId}/messages", new { text }, HttpStatusCode.BadRequest);
            Assert.NotNull(problem["errors"]!["text"]);
        }
        await (await visitor.PostAsync($"/widget-api/{channelId}/messages", Http.RawJson("[1,2]"))).JsonAsync(HttpStatusCode.BadRequest);
        await (await visitor.PostAsync($"/widget-api/{channelId}/messages", new StringContent("hi", Encoding.UTF8, "text/plain")))
            .JsonAsync(HttpStatusCode.UnsupportedMediaType);
        await visitor.PostJsonAsync($"/widget-api/{channelId}/messages", new { text = new string('x', WidgetApi.MaxTextLength) }, HttpStatusCode.Created);
        Assert.Equal(1, await QueryAsync(tenant, db => db.Messages.CountAsync()));
        Assert.Equal(1, await QueryAsync(tenant, db => db.ChatSessions.CountAsync()));
    }
}
