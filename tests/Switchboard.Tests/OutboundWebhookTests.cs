using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Platform.Database;
using Switchboard.Platform.Jobs;
using Switchboard.Tests.Infrastructure;
using Switchboard.Webhooks;

namespace Switchboard.Tests;

/// <summary>Outbound webhooks end to end: inbox events reach a real receiver over HTTP, signed with the tenant's secret,
/// filtered per subscription, retried with backoff, resent, and never across tenants.</summary>
[Collection(ServerCollection.Name)]
public sealed class OutboundWebhookTests(Servers servers)
{
    private static async Task<(TenantHandle Tenant, long ChannelId, string Secret)> TenantAsync(SwitchboardFactory factory)
    {
        var tenant = await factory.CreateTenantAsync();
        var channel = await tenant.Owner.PostJsonAsync("/api/v1/channels", ChannelsTests.WhatsApp(apiBaseUrl: MessagingTests.Nowhere), HttpStatusCode.Created);
        var secret = (await tenant.Owner.PostJsonAsync("/api/v1/tenant/webhook-secret", new { }, HttpStatusCode.OK))["webhookSecret"]!.GetValue<string>();
        return (tenant, channel.Id(), secret);
    }

    private static async Task<long> SubscribeAsync(TenantHandle tenant, string url, string[]? events = null, bool isActive = true) =>
        (await tenant.Owner.PostJsonAsync("/api/v1/webhooks", new { url, events, isActive, description = "test receiver" }, HttpStatusCode.Created)).Id();

    /// <summary>Checks the signature the way a receiver would, without the server's code: HMAC-SHA256 over timestamp "." body.</summary>
    private static void AssertSigned(WebhookReceiver.Request request, string secret)
    {
        var timestamp = request.Headers["X-Switchboard-Timestamp"];
        byte[] signed = [.. Encoding.UTF8.GetBytes(timestamp + "."), .. request.RawBody];
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
        Assert.Equal(expected, request.Headers["X-Switchboard-Signature"]);
        Assert.Equal("application/json", request.Headers["Content-Type"]);
        Assert.Equal("Switchboard-Webhooks/1", request.Headers["User-Agent"]);
        var envelope = request.Json;
        Assert.Equal(envelope["type"]!.GetValue<string>(), request.Headers["X-Switchboard-Event"]);
        Assert.Equal(envelope["id"]!.GetValue<string>(), request.Headers["X-Switchboard-Event-Id"]);
        Assert.True(long.Parse(request.Headers["X-Switchboard-Delivery"]) > 0);
    }

    private static async Task<List<JsonObject>> DeliveriesAsync(TenantHandle tenant, long webhookId, string query = "") =>
        (await tenant.Owner.GetJsonAsync($"/api/v1/webhooks/{webhookId}/deliveries{query}")).Items().Select(d => d!.AsObject()).ToList();

    /// <summary>The newest delivery in the log matching <paramref name="done"/>, waiting for the job worker to get there.</summary>
    private static async Task<JsonObject> WaitForDeliveryAsync(TenantHandle tenant, long webhookId, Func<JsonObject, bool> done)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var log = await DeliveriesAsync(tenant, webhookId);
            if (log.FirstOrDefault(done) is { } found)
                return found;
            if (clock.Elapsed > TimeSpan.FromSeconds(20))
                throw new TimeoutException($"No delivery of webhook {webhookId} got there: {string.Join(" | ", log.Select(d => d.ToJsonString()))}");
            await Task.Delay(100);
        }
    }

    /// <summary>Waits until the delivery's job is queued again after failed attempt <paramref name="attempts"/>: its retry time is
    /// set from the clock then, so the clock may only be moved past it afterwards.</summary>
    private static async Task WaitForRetryAsync(SwitchboardFactory factory, long deliveryId, int attempts)
    {
        var payload = JsonSerializer.Serialize(new WebhookDeliveryJob.Payload(deliveryId), JsonSerializerOptions.Web);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            await using (var scope = factory.Services.CreateAsyncScope())
            {
                if (await scope.ServiceProvider.GetRequiredService<SwitchboardDbContext>().Jobs.AnyAsync(j =>
                        j.Type == WebhookDeliveryJob.JobType && j.Payload == payload && j.Status == JobStatus.Queued && j.Attempts == attempts))
                    return;
            }
            if (clock.Elapsed > TimeSpan.FromSeconds(20))
                throw new TimeoutException($"Delivery {deliveryId} was not queued again after attempt {attempts}.");
            await Task.Delay(100);
        }
    }

    private static int Attempts(JsonObject delivery) => delivery["attempts"]!.GetValue<int>();

    private static string? Text(JsonObject delivery, string field) => delivery[field]?.GetValue<string>();

    [Theory, Providers]
    public async Task ACustomerMessage_IsDeliveredSigned_ToEachSubscriptionThatWantsIt_AndCanBeResent(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var (tenant, channelId, secret) = await TenantAsync(factory);
        await using var receiver = await WebhookReceiver.StartAsync();
        var everything = await SubscribeAsync(tenant, receiver.Url("/all"), []);
        var messagesOnly = await SubscribeAsync(tenant, receiver.Url("/messages"), ["message.created"]);
        await SubscribeAsync(tenant, receiver.Url("/disabled"), isActive: false);
        var before = factory.Clock.GetUtcNow().ToUnixTimeSeconds();

        var conversationId = await MessagingTests.CustomerWritesAsync(tenant, channelId, "15550004101", "Grace Hopper", "Is my order on its way?");

        var all = await receiver.WaitForAsync("/all", 2);
        Assert.Equal(["conversation.created", "message.created"], all.Select(r => r.Type).Order());
        foreach (var request in all)
        {
            AssertSigned(request, secret);
            Assert.InRange(long.Parse(request.Headers["X-Switchboard-Timestamp"]), before, factory.Clock.GetUtcNow().ToUnixTimeSeconds());
            Assert.Equal(tenant.Id, request.Json["tenantId"]!.GetValue<long>());
        }
        var created = all.Single(r => r.Type == "message.created").Json;
        Assert.Equal(conversationId, created["data"]!["conversationId"]!.GetValue<long>());
        Assert.Equal("Is my order on its way?", created["data"]!["message"]!["text"]!.GetValue<string>());
        var conversation = all.Single(r => r.Type == "conversation.created").Json;
        Assert.Equal(conversationId, conversation["data"]!["id"]!.GetValue<long>());
        Assert.Equal("Grace Hopper", conversation["data"]!["contact"]!["name"]!.GetValue<string>());

        // The filter: only message.created; the same event shares its id across subscriptions.
        var onlyMessages = await receiver.WaitForAsync("/messages", 1);
        Assert.Equal("message.created", Assert.Single(onlyMessages).Type);
        AssertSigned(onlyMessages[0], secret);
        Assert.Equal(created["id"]!.GetValue<string>(), onlyMessages[0].Json["id"]!.GetValue<string>());

        // The log records each answer.
        var delivered = await WaitForDeliveryAsync(tenant, everything, d => Text(d, "eventType") == "message.created" && Text(d, "status") == "succeeded");
        Assert.Equal(1, Attempts(delivered));
        Assert.Equal(200, delivered["responseStatus"]!.GetValue<int>());
        Assert.Equal("thanks", Text(delivered, "responseBody"));
        Assert.NotNull(delivered["deliveredAt"]);
        Assert.Equal(created["id"]!.GetValue<string>(), Text(delivered, "eventId"));

        // Resend: a new delivery of the same event, byte for byte, with the same event id.
        var resent = await (await tenant.Owner.PostAsync($"/api/v1/webhooks/{everything}/deliveries/{delivered.Id()}/resend", null)).JsonAsync(HttpStatusCode.Accepted);
        Assert.NotEqual(delivered.Id(), resent.Id());
        Assert.Equal(Text(delivered, "eventId"), Text(resent, "eventId"));
        Assert.Equal("pending", Text(resent, "status"));
        var again = (await receiver.WaitForAsync("/all", 3)).Last();
        Assert.Equal(created["id"]!.GetValue<string>(), again.Headers["X-Switchboard-Event-Id"]);
        Assert.Equal(resent.Id().ToString(), again.Headers["X-Switchboard-Delivery"]);
        Assert.Equal(all.Single(r => r.Type == "message.created").RawBody, again.RawBody);
        AssertSigned(again, secret);
        await WaitForDeliveryAsync(tenant, everything, d => d.Id() == resent.Id() && Text(d, "status") == "succeeded");
        Assert.Equal(resent.Id(), (await DeliveriesAsync(tenant, everything))[0].Id()); // newest first

        Assert.Empty(receiver.Received("/disabled"));
        Assert.Equal(HttpStatusCode.NotFound, (await tenant.Owner.PostAsync($"/api/v1/webhooks/{messagesOnly}/deliveries/{delivered.Id()}/resend", null)).StatusCode);
        await tenant.Owner.PatchJsonAsync($"/api/v1/webhooks/{everything}", new { isActive = false }, HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.Conflict, (await tenant.Owner.PostAsync($"/api/v1/webhooks/{everything}/deliveries/{delivered.Id()}/resend", null)).StatusCode);
        var actions = (await tenant.Owner.GetJsonAsync("/api/v1/audit-logs?module=webhooks")).Items().Select(e => e!["action"]!.GetValue<string>());
        Assert.Equal(["webhooks.update", "webhooks.resend", "webhooks.create", "webhooks.create", "webhooks.create"], actions);
    }

    [Theory, Providers]
    public async Task AFailingReceiver_IsRetriedWithBackoff_AndTheLogShowsEachAttempt(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var (tenant, channelId, secret) = await TenantAsync(factory);
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.FailNext(2);
        var webhook = await SubscribeAsync(tenant, receiver.Url("/flaky"), ["conversation.created"]);

        await MessagingTests.CustomerWritesAsync(tenant, channelId, "15550004201", "Katherine Johnson", "Hello?");
        var first = await WaitForDeliveryAsync(tenant, webhook, d => Attempts(d) == 1);
        Assert.Equal("pending", Text(first, "status"));
        Assert.Equal(500, first["responseStatus"]!.GetValue<int>());
        Assert.Equal("boom", Text(first, "responseBody"));
        Assert.Contains("500", Text(first, "error"));

        // Not before its backoff (10 s) is up.
        await WaitForRetryAsync(factory, first.Id(), 1);
        factory.Clock.Advance(TimeSpan.FromSeconds(8));
        await Task.Delay(1000);
        Assert.Single(receiver.Received("/flaky"));

        factory.Clock.Advance(TimeSpan.FromSeconds(3));
        var second = await WaitForDeliveryAsync(tenant, webhook, d => Attempts(d) == 2);
        Assert.Equal("pending", Text(second, "status"));
        Assert.Equal(500, second["responseStatus"]!.GetValue<int>());

        await WaitForRetryAsync(factory, first.Id(), 2);
        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        var third = await WaitForDeliveryAsync(tenant, webhook, d => Attempts(d) == 3 && Text(d, "status") == "succeeded");
        Assert.Equal(200, third["responseStatus"]!.GetValue<int>());
        Assert.Null(third["error"]);
        Assert.Equal(first.Id(), third.Id());

        var attempts = receiver.Received("/flaky");
        Assert.Equal(3, attempts.Count);
        Assert.Single(attempts.Select(a => a.Headers["X-Switchboard-Event-Id"]).Distinct());
        Assert.Single(attempts.Select(a => a.Headers["X-Switchboard-Delivery"]).Distinct());
        Assert.All(attempts, a => AssertSigned(a, secret));
        Assert.Equal(3, attempts.Select(a => a.Headers["X-Switchboard-Timestamp"]).Distinct().Count()); // signed afresh each time
    }

    [Theory, Providers]
    public async Task AReceiverThatAlwaysFails_FailsTheDeliveryAfterItsLastAttempt(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var (tenant, channelId, _) = await TenantAsync(factory);
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Status = 500;
        var webhook = await SubscribeAsync(tenant, receiver.Url("/down"), ["conversation.created"]);

        await MessagingTests.CustomerWritesAsync(tenant, channelId, "15550004301", "Dorothy Vaughan", "Anyone?");
        var deliveryId = (await WaitForDeliveryAsync(tenant, webhook, d => Attempts(d) == 1)).Id();
        for (var attempt = 1; attempt < WebhookDeliveryJob.MaxAttempts; attempt++)
        {
            await WaitForRetryAsync(factory, deliveryId, attempt);
            factory.Clock.Advance(WebhookDeliveryJob.Backoff[attempt - 1]);
        }
        var failed = await WaitForDeliveryAsync(tenant, webhook, d => Text(d, "status") == "failed");
        Assert.Equal(WebhookDeliveryJob.MaxAttempts, Attempts(failed));
        Assert.StartsWith($"Gave up after {WebhookDeliveryJob.MaxAttempts} attempts", Text(failed, "error"));
        Assert.Equal(500, failed["responseStatus"]!.GetValue<int>());
        Assert.Equal(WebhookDeliveryJob.MaxAttempts, receiver.Received("/down").Count);
        Assert.Single(await DeliveriesAsync(tenant, webhook, "?status=failed"));
        Assert.Empty(await DeliveriesAsync(tenant, webhook, "?status=pending"));
    }

    [Theory, Providers]
    public async Task ASubscriptionOfOneTenant_NeverReceivesAnotherTenantsEvents(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var (a, aChannel, aSecret) = await TenantAsync(factory);
        var (b, bChannel, bSecret) = await TenantAsync(factory);
        await using var receiver = await WebhookReceiver.StartAsync();
        var aHook = await SubscribeAsync(a, receiver.Url("/a"));
        var bHook = await SubscribeAsync(b, receiver.Url("/b"));

        await MessagingTests.CustomerWritesAsync(b, bChannel, "15550004401", "Only B", "for B");
        await MessagingTests.CustomerWritesAsync(a, aChannel, "15550004402", "Only A", "for A");
        var toA = await receiver.WaitForAsync("/a", 2);
        var toB = await receiver.WaitForAsync("/b", 2);
        Assert.All(toA, r => Assert.Equal(a.Id, r.Json["tenantId"]!.GetValue<long>()));
        Assert.All(toB, r => Assert.Equal(b.Id, r.Json["tenantId"]!.GetValue<long>()));
        Assert.DoesNotContain(toA, r => r.Body.Contains("Only B"));
        Assert.All(toA, r => AssertSigned(r, aSecret));
        Assert.All(toB, r => AssertSigned(r, bSecret));
        await Task.Delay(500); // nothing late either
        Assert.Equal(2, receiver.Received("/a").Count);

        Assert.Equal(HttpStatusCode.NotFound, (await a.Owner.GetAsync($"/api/v1/webhooks/{bHook}/deliveries")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await a.Owner.GetAsync($"/api/v1/webhooks/{bHook}")).StatusCode);
        Assert.Single((await a.Owner.GetJsonAsync("/api/v1/webhooks")).Items(), w => w!["id"]!.GetValue<long>() == aHook);
    }

    [Theory, Providers]
    public async Task BadInput_IsA400Problem_AndStoresNothing(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var api = tenant.Owner;
        var invalid = new (object Body, string Field)[]
        {
            (new { events = new[] { "message.created" } }, "url"),
            (new { url = "ftp://example.com/hook" }, "url"),
            (new { url = "example.com/hook" }, "url"),
            (new { url = "/relative/hook" }, "url"),
            (new { url = "https://user:password@example.com/hook" }, "url"),
            (new { url = "https://example.com/" + new string('a', 2000) }, "url"),
            (new { url = "https://example.com/hook", description = new string('d', 501) }, "description"),
        };
        foreach (var (body, field) in invalid)
        {
            var problem = await api.PostJsonAsync("/api/v1/webhooks", body, HttpStatusCode.BadRequest);
            Assert.True(problem["errors"]?[field] is not null, $"{JsonSerializer.Serialize(body)}: {problem.ToJsonString()}");
        }
        var unknownEvent = await api.PostJsonAsync("/api/v1/webhooks", new { url = "https://example.com/hook", events = new[] { "message.created", "message.deleted" } },
            HttpStatusCode.BadRequest);
        var eventsError = unknownEvent["errors"]!["events"]![0]!.GetValue<string>();
        Assert.Contains("message.deleted", eventsError);
        Assert.All(WebhookEventTypes.Subscribable, e => Assert.Contains(e, eventsError));
        Assert.Equal(HttpStatusCode.BadRequest, (await api.PostAsync("/api/v1/webhooks", Http.RawJson("{\"url\": 5}"))).StatusCode);
        Assert.Empty((await api.GetJsonAsync("/api/v1/webhooks")).Items());

        var webhook = await SubscribeAsync(tenant, "https://example.com/hook", ["message.status"]);
        await api.PatchJsonAsync($"/api/v1/webhooks/{webhook}", new { events = new[] { "nope" } }, HttpStatusCode.BadRequest);
        await api.PatchJsonAsync($"/api/v1/webhooks/{webhook}", new { url = "javascript:alert(1)" }, HttpStatusCode.BadRequest);
        var unchanged = await api.GetJsonAsync($"/api/v1/webhooks/{webhook}");
        Assert.Equal("https://example.com/hook", unchanged["url"]!.GetValue<string>());
        Assert.Equal(["message.status"], unchanged["events"]!.AsArray().Select(e => e!.GetValue<string>()));
        foreach (var query in new[] { "?status=sent", "?status=1", "?cursor=not-a-cursor", "?limit=0" })
            await api.GetJsonAsync($"/api/v1/webhooks/{webhook}/deliveries{query}", HttpStatusCode.BadRequest);
        var actions = (await api.GetJsonAsync("/api/v1/audit-logs?module=webhooks")).Items().Select(e => e!["action"]!.GetValue<string>());
        Assert.Equal(["webhooks.create"], actions);

        var changed = await api.PatchJsonAsync($"/api/v1/webhooks/{webhook}", new { events = Array.Empty<string>(), description = "" }, HttpStatusCode.OK);
        Assert.Empty(changed["events"]!.AsArray());
        Assert.Null(changed["description"]);
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/v1/webhooks/{webhook}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/v1/webhooks/{webhook}")).StatusCode);
    }

    [Theory, Providers]
    public async Task TheTestPing_IsSentAtOnce_AndAnswersWhatTheReceiverSaid(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var (tenant, _, secret) = await TenantAsync(factory);
        await using var receiver = await WebhookReceiver.StartAsync();
        var webhook = await SubscribeAsync(tenant, receiver.Url("/ping"), ["message.status"]);

        var ok = await tenant.Owner.PostJsonAsync($"/api/v1/webhooks/{webhook}/test", new { }, HttpStatusCode.OK);
        Assert.True(ok["ok"]!.GetValue<bool>());
        Assert.Equal(200, ok["responseStatus"]!.GetValue<int>());
        Assert.Equal("thanks", Text(ok, "responseBody"));
        var ping = Assert.Single(receiver.Received("/ping"));
        Assert.Equal("ping", ping.Type);
        AssertSigned(ping, secret);
        Assert.Equal(webhook, ping.Json["data"]!["webhookId"]!.GetValue<long>());
        Assert.Equal(ok["deliveryId"]!.GetValue<long>().ToString(), ping.Headers["X-Switchboard-Delivery"]);

        receiver.FailNext(1);
        var failed = await tenant.Owner.PostJsonAsync($"/api/v1/webhooks/{webhook}/test", new { }, HttpStatusCode.OK);
        Assert.False(failed["ok"]!.GetValue<bool>());
        Assert.Equal(500, failed["responseStatus"]!.GetValue<int>());
        Assert.Equal("boom", Text(failed, "responseBody"));

        receiver.Status = 302;
        var redirected = await tenant.Owner.PostJsonAsync($"/api/v1/webhooks/{webhook}/test", new { }, HttpStatusCode.OK);
        Assert.False(redirected["ok"]!.GetValue<bool>());
        Assert.Equal(302, redirected["responseStatus"]!.GetValue<int>());
        Assert.Contains("redirects are not followed", Text(redirected, "error"));
        Assert.Empty(receiver.Received("/elsewhere"));

        // Pings are in the log, tried once; newest first, paged by cursor.
        var log = await DeliveriesAsync(tenant, webhook);
        Assert.Equal(["failed", "failed", "succeeded"], log.Select(d => Text(d, "status")));
        Assert.All(log, d => Assert.Equal(1, Attempts(d)));
        var firstPage = await tenant.Owner.GetJsonAsync($"/api/v1/webhooks/{webhook}/deliveries?limit=2");
        var nextPage = await tenant.Owner.GetJsonAsync($"/api/v1/webhooks/{webhook}/deliveries?limit=2&cursor={firstPage["nextCursor"]!.GetValue<string>()}");
        Assert.Null(nextPage["nextCursor"]);
        Assert.Equal(log.Select(d => d.Id()), firstPage.Items().Concat(nextPage.Items()).Select(d => d!.AsObject().Id()));
        Assert.Equal(2, (await DeliveriesAsync(tenant, webhook, "?status=failed")).Count);

        // The ping's fallback job finds it settled and sends nothing more.
        factory.Clock.Advance(TimeSpan.FromMinutes(5));
        await Task.Delay(1000);
        Assert.Equal(3, receiver.Received("/ping").Count);
        var actions = (await tenant.Owner.GetJsonAsync("/api/v1/audit-logs?action=webhooks.test")).Items();
        Assert.Equal(3, actions.Count);
    }

    [Fact]
    public void TheSignature_MatchesTheTestVectorInTheDocs()
    {
        const string body = "{\"id\":\"evt_0195f1c2a3b47c9d8e0f112233445566\",\"type\":\"ping\",\"createdAt\":\"2026-01-01T00:00:00+00:00\",\"tenantId\":7,\"data\":{\"webhookId\":3}}";
        Assert.Equal("sha256=742eed0a7cab3867b8b99d577489b5b45d0780fb08d9aeabd5b6a9e04723772b",
            WebhookSignature.Compute("whsec-example-7Jq2", "1767225600", Encoding.UTF8.GetBytes(body)));
        Assert.Contains(body, File.ReadAllText(Path.Combine(PermissionTests.RepositoryRoot(), "docs", "webhooks.md")));
    }

    [Fact]
    public async Task ASlowReceiver_TimesOut()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var factory = new SwitchboardFactory(database, new Dictionary<string, string?> { ["Webhooks:DeliveryTimeout"] = "00:00:01" });
        var tenant = await factory.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Delay = TimeSpan.FromSeconds(30);
        var webhook = await SubscribeAsync(tenant, receiver.Url("/slow"));

        var clock = Stopwatch.StartNew();
        var answer = await tenant.Owner.PostJsonAsync($"/api/v1/webhooks/{webhook}/test", new { }, HttpStatusCode.OK);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
        Assert.False(answer["ok"]!.GetValue<bool>());
        Assert.Null(answer["responseStatus"]);
        Assert.Equal("No answer within 1 s.", Text(answer, "error"));
        Assert.Single(receiver.Received("/slow"));
    }
}
