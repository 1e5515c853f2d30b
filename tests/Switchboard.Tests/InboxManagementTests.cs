using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Switchboard.Platform.Database;
using Switchboard.Tenancy;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests;

/// <summary>Notes, conversation tags, assignment and transfer, canned responses and template sync (docs/inbox-api.md).</summary>
[Collection(ServerCollection.Name)]
public sealed class InboxManagementTests(Servers servers)
{
    private sealed record Member(HttpClient Api, long Id, string Name);

    /// <summary>A person of <paramref name="role"/> signed in to the console (rules about "mine" need a person, not a key).</summary>
    private static async Task<Member> SignedInAsync(TenantHandle tenant, Role role, string name)
    {
        var email = $"{name.ToLowerInvariant()}-{Guid.NewGuid():N}@{tenant.Slug}.test";
        var created = await tenant.Owner.PostJsonAsync("/api/v1/users",
            new { name, email, role = role.ToString().ToLowerInvariant(), password = TenantHandle.OwnerPassword }, HttpStatusCode.Created);
        var browser = tenant.Factory.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true });
        await (await browser.PostAsJsonAsync("/api/v1/auth/sign-in", new { email, password = TenantHandle.OwnerPassword })).JsonAsync(HttpStatusCode.OK);
        browser.DefaultRequestHeaders.Add("X-CSRF-TOKEN", (await browser.GetJsonAsync("/api/v1/auth/csrf"))["token"]!.GetValue<string>());
        return new Member(browser, created["user"]!["id"]!.GetValue<long>(), name);
    }

    /// <summary>A conversation on a new WhatsApp channel of its own (so each call makes another).</summary>
    private static async Task<long> ConversationAsync(TenantHandle tenant, string? apiBaseUrl = null)
    {
        var channel = await tenant.Owner.PostJsonAsync("/api/v1/channels", ChannelsTests.WhatsApp("Line " + Guid.NewGuid().ToString("N")[..8]), HttpStatusCode.Created);
        if (apiBaseUrl is not null)
            await tenant.Owner.PatchJsonAsync($"/api/v1/channels/{channel.Id()}", new { settings = new { apiBaseUrl } }, HttpStatusCode.OK);
        await tenant.Factory.CreateClient().SendAsync(WhatsAppWebhookTests.Signed(channel.Id(), WhatsAppWebhookTests.InboundText("wamid." + Guid.NewGuid().ToString("N"))));
        await WhatsAppWebhookTests.WaitForAsync(tenant.Factory, tenant.Id, async db => await db.Conversations.AnyAsync(c => c.ChannelId == channel.Id()));
        return (await tenant.Owner.GetJsonAsync($"/api/v1/conversations?channelId={channel.Id()}")).Items().Single()!.AsObject().Id();
    }

    /// <summary>Who the rules tests need: a new tenant with a conversation, two agents signed in (Ann and Bob) and a supervisor.</summary>
    private async Task<(SwitchboardFactory Factory, TenantHandle Tenant, long ConversationId, Member Ann, Member Bob, HttpClient Supervisor)> TeamAsync(
        DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var id = await ConversationAsync(tenant);
        var ann = await SignedInAsync(tenant, Role.Agent, "Ann");
        var bob = await SignedInAsync(tenant, Role.Agent, "Bob");
        return (factory, tenant, id, ann, bob, await tenant.ClientWithRoleAsync(Role.Supervisor));
    }

    private static List<string> Strings(JsonObject list, string property) =>
        list.Items().Select(i => i![property]!.GetValue<string>()).ToList();

    private static async Task<JsonObject> PutJsonAsync(HttpClient client, string url, object body, HttpStatusCode expected) =>
        await (await client.PutAsJsonAsync(url, body)).JsonAsync(expected);

    private static async Task AssertBadRequestAsync(HttpResponseMessage response, string field) =>
        Assert.NotNull((await response.JsonAsync(HttpStatusCode.BadRequest))["errors"]![field]);

    [Theory, Providers]
    public async Task Notes_ListPinnedFirstThenNewest_AndOnlyTheirAuthorOrASupervisorChangesThem(DatabaseProvider provider)
    {
        var (factory, tenant, id, ann, bob, supervisor) = await TeamAsync(provider);
        var notes = $"/api/v1/conversations/{id}/notes";

        var first = await ann.Api.PostJsonAsync(notes, new { content = " Called the customer " }, HttpStatusCode.Created);
        factory.Clock.Advance(TimeSpan.FromSeconds(1));
        await ann.Api.PostJsonAsync(notes, new { content = "Waiting for the invoice" }, HttpStatusCode.Created);
        factory.Clock.Advance(TimeSpan.FromSeconds(1));
        var pinned = await bob.Api.PostJsonAsync(notes, new { content = "VIP: be quick", isPinned = true }, HttpStatusCode.Created);
        Assert.Equal("Called the customer", first["content"]!.GetValue<string>());
        Assert.Equal("Ann", first["author"]!["name"]!.GetValue<string>());
        Assert.Equal(["VIP: be quick", "Waiting for the invoice", "Called the customer"], Strings(await ann.Api.GetJsonAsync(notes), "content"));

        // Not Bob's note: refused and unchanged; Ann's own: changed.
        await bob.Api.PatchJsonAsync($"{notes}/{first.Id()}", new { content = "Rewritten" }, HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.Forbidden, (await bob.Api.DeleteAsync($"{notes}/{first.Id()}")).StatusCode);
        await AssertBadRequestAsync(await ann.Api.PatchAsJsonAsync($"{notes}/{first.Id()}", new { content = "  " }), "content");
        var edited = await ann.Api.PatchJsonAsync($"{notes}/{first.Id()}", new { content = "Called twice", isPinned = true }, HttpStatusCode.OK);
        Assert.True(edited["isPinned"]!.GetValue<bool>());
        Assert.Equal(["VIP: be quick", "Called twice", "Waiting for the invoice"], Strings(await ann.Api.GetJsonAsync(notes), "content"));

        // A supervisor may change and delete anyone's.
        await supervisor.PatchJsonAsync($"{notes}/{pinned.Id()}", new { isPinned = false }, HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.NoContent, (await supervisor.DeleteAsync($"{notes}/{first.Id()}")).StatusCode);
        Assert.Equal(["VIP: be quick", "Waiting for the invoice"], Strings(await ann.Api.GetJsonAsync(notes), "content"));

        // Bad input changes nothing; a note is only found under its own conversation.
        await AssertBadRequestAsync(await ann.Api.PostAsJsonAsync(notes, new { content = "" }), "content");
        var other = await ConversationAsync(tenant);
        await ann.Api.PatchJsonAsync($"/api/v1/conversations/{other}/notes/{pinned.Id()}", new { content = "x" }, HttpStatusCode.NotFound);
        Assert.Equal(2, (await ann.Api.GetJsonAsync(notes)).Items().Count);
    }

    [Theory, Providers]
    public async Task Tags_AreDefinedBySupervisors_PutOnConversations_AndFilterTheInbox(DatabaseProvider provider)
    {
        var tenant = await (await servers.ForAsync(provider)).CreateTenantAsync();
        var agent = await tenant.ClientWithRoleAsync(Role.Agent);
        var billing = await tenant.Owner.PostJsonAsync("/api/v1/conversation-tags", new { name = "Billing", color = "#AABBCC" }, HttpStatusCode.Created);
        Assert.Equal("#aabbcc", billing["color"]!.GetValue<string>());
        var vip = await tenant.Owner.PostJsonAsync("/api/v1/conversation-tags", new { name = "VIP", color = "#ff0000", description = "Pays a lot" },
            HttpStatusCode.Created);
        await tenant.Owner.PostJsonAsync("/api/v1/conversation-tags", new { name = "billing", color = "#000000" }, HttpStatusCode.Conflict);
        await AssertBadRequestAsync(await tenant.Owner.PostAsJsonAsync("/api/v1/conversation-tags", new { name = "Red", color = "red" }), "color");
        await agent.PostJsonAsync("/api/v1/conversation-tags", new { name = "Mine", color = "#000000" }, HttpStatusCode.Forbidden);
        await tenant.Owner.PatchJsonAsync($"/api/v1/conversation-tags/{vip.Id()}", new { name = "Billing" }, HttpStatusCode.Conflict);
        var renamed = await tenant.Owner.PatchJsonAsync($"/api/v1/conversation-tags/{vip.Id()}", new { name = "Gold", description = "" }, HttpStatusCode.OK);
        Assert.Null(renamed["description"]);
        Assert.Equal(["Billing", "Gold"], Strings(await agent.GetJsonAsync("/api/v1/conversation-tags"), "name"));

        var tagged = await ConversationAsync(tenant);
        var untagged = await ConversationAsync(tenant);
        var summary = await PutJsonAsync(agent, $"/api/v1/conversations/{tagged}/tags", new { tagIds = new[] { vip.Id(), billing.Id(), vip.Id() } }, HttpStatusCode.OK);
        Assert.Equal(["Billing", "Gold"], summary["tags"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()));
        summary = await PutJsonAsync(agent, $"/api/v1/conversations/{tagged}/tags", new { tagIds = new[] { vip.Id() } }, HttpStatusCode.OK);
        Assert.Equal([vip.Id()], summary["tags"]!.AsArray().Select(t => t!["id"]!.GetValue<long>()));

        // Unknown and other tenants' tags are named and refused; the conversation keeps its tags.
        var stranger = await (await tenant.Factory.CreateTenantAsync()).Owner.PostJsonAsync("/api/v1/conversation-tags", new { name = "Theirs", color = "#123456" },
            HttpStatusCode.Created);
        var refused = await (await agent.PutAsJsonAsync($"/api/v1/conversations/{tagged}/tags", new { tagIds = new[] { billing.Id(), stranger.Id(), 999999999L } }))
            .JsonAsync(HttpStatusCode.BadRequest);
        var errors = refused["errors"]!["tagIds"]!.AsArray().Select(e => e!.GetValue<string>()).ToList();
        Assert.Equal([$"tag {stranger.Id()} does not exist.", "tag 999999999 does not exist."], errors);
        Assert.Equal([vip.Id()], (await agent.GetJsonAsync($"/api/v1/conversations/{tagged}"))["tags"]!.AsArray().Select(t => t!["id"]!.GetValue<long>()));

        Assert.Equal([tagged], (await agent.GetJsonAsync($"/api/v1/conversations?tagId={vip.Id()}")).Items().Select(c => c!.AsObject().Id()));
        Assert.Empty((await agent.GetJsonAsync($"/api/v1/conversations?tagId={billing.Id()}")).Items());
        Assert.Equal(2, (await agent.GetJsonAsync("/api/v1/conversations")).Items().Count);
        Assert.Contains(untagged, (await agent.GetJsonAsync("/api/v1/conversations")).Items().Select(c => c!.AsObject().Id()));

        // Deleting a tag takes it off every conversation.
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Owner.DeleteAsync($"/api/v1/conversation-tags/{vip.Id()}")).StatusCode);
        Assert.Empty((await agent.GetJsonAsync($"/api/v1/conversations/{tagged}"))["tags"]!.AsArray());
    }

    [Theory, Providers]
    public async Task Assigning_KeepsHistory_AndAnAgentCannotTakeSomeoneElsesConversation(DatabaseProvider provider)
    {
        var (factory, tenant, id, ann, bob, supervisor) = await TeamAsync(provider);
        var assign = $"/api/v1/conversations/{id}/assign";

        var summary = await ann.Api.PostJsonAsync(assign, new { userId = ann.Id }, HttpStatusCode.OK);
        Assert.Equal("Ann", summary["assignedTo"]!["name"]!.GetValue<string>());
        await bob.Api.PostJsonAsync(assign, new { userId = bob.Id }, HttpStatusCode.Forbidden);
        factory.Clock.Advance(TimeSpan.FromSeconds(1));
        await ann.Api.PostJsonAsync(assign, new { userId = bob.Id }, HttpStatusCode.OK);
        await ann.Api.PostJsonAsync(assign, new { userId = (long?)null }, HttpStatusCode.Forbidden);
        Assert.Equal([id], (await bob.Api.GetJsonAsync("/api/v1/conversations?assignee=me")).Items().Select(c => c!.AsObject().Id()));

        // Not a member of this workspace: refused, nothing changes.
        var outsider = await factory.CreateTenantAsync();
        await AssertBadRequestAsync(await supervisor.PostAsJsonAsync(assign, new { userId = outsider.OwnerId }), "userId");
        Assert.Equal(bob.Id, (await supervisor.GetJsonAsync($"/api/v1/conversations/{id}"))["assignedTo"]!["id"]!.GetValue<long>());

        factory.Clock.Advance(TimeSpan.FromSeconds(1));
        summary = await supervisor.PostJsonAsync(assign, new { userId = (long?)null }, HttpStatusCode.OK);
        Assert.Null(summary["assignedTo"]);

        var history = (await ann.Api.GetJsonAsync($"/api/v1/conversations/{id}/assignments")).Items().Select(a => a!.AsObject()).ToList();
        Assert.Equal(3, history.Count);
        Assert.Null(history[0]["assignedTo"]);
        Assert.Null(history[0]["assignedBy"]); // an API key
        Assert.Null(history[0]["unassignedAt"]);
        Assert.Equal(["Bob", "Ann"], history.Skip(1).Select(a => a["assignedTo"]!["name"]!.GetValue<string>()));
        Assert.All(history.Skip(1), a => Assert.Equal("Ann", a["assignedBy"]!["name"]!.GetValue<string>()));
        Assert.All(history.Skip(1), a => Assert.NotNull(a["unassignedAt"]));
        Assert.All(history, a => Assert.Equal("manual", a["assignmentType"]!.GetValue<string>()));

        // Two agents taking the same conversation at once: one gets it, the other is told it is taken.
        var contested = await ConversationAsync(tenant);
        var answers = await Task.WhenAll(new[] { ann, bob }.Select(m => m.Api.PostAsJsonAsync($"/api/v1/conversations/{contested}/assign", new { userId = m.Id })));
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Forbidden], answers.Select(a => a.StatusCode).Order());
        Assert.Single((await ann.Api.GetJsonAsync($"/api/v1/conversations/{contested}/assignments")).Items());
    }

    [Theory, Providers]
    public async Task Transferring_RecordsWhereItCameFromAndWhy(DatabaseProvider provider)
    {
        var (factory, tenant, id, ann, bob, supervisor) = await TeamAsync(provider);
        var billing = await tenant.Owner.PostJsonAsync("/api/v1/departments", new { name = "Billing" }, HttpStatusCode.Created);
        var sales = await tenant.Owner.PostJsonAsync("/api/v1/departments", new { name = "Sales" }, HttpStatusCode.Created);
        var transfer = $"/api/v1/conversations/{id}/transfer";
        await ann.Api.PostJsonAsync($"/api/v1/conversations/{id}/assign", new { userId = ann.Id }, HttpStatusCode.OK);

        // Bad input changes nothing.
        await AssertBadRequestAsync(await ann.Api.PostAsJsonAsync(transfer, new { reason = "No target" }), "toUserId");
        await AssertBadRequestAsync(await ann.Api.PostAsJsonAsync(transfer, new { toDepartmentId = 999999999L }), "toDepartmentId");
        Assert.Empty((await ann.Api.GetJsonAsync($"/api/v1/conversations/{id}/transfers")).Items());

        factory.Clock.Advance(TimeSpan.FromSeconds(1));
        var summary = await ann.Api.PostJsonAsync(transfer, new { toUserId = bob.Id, toDepartmentId = billing.Id(), reason = " Disputed invoice " }, HttpStatusCode.OK);
        Assert.Equal(bob.Id, summary["assignedTo"]!["id"]!.GetValue<long>());
        Assert.Equal(billing.Id(), summary["departmentId"]!.GetValue<long>());
        await ann.Api.PostJsonAsync(transfer, new { toUserId = ann.Id }, HttpStatusCode.Forbidden); // Bob's now

        // A department alone moves the conversation there and leaves its assignee.
        factory.Clock.Advance(TimeSpan.FromSeconds(1));
        summary = await supervisor.PostJsonAsync(transfer, new { toDepartmentId = sales.Id() }, HttpStatusCode.OK);
        Assert.Equal(bob.Id, summary["assignedTo"]!["id"]!.GetValue<long>());
        Assert.Equal(sales.Id(), summary["departmentId"]!.GetValue<long>());

        var transfers = (await bob.Api.GetJsonAsync($"/api/v1/conversations/{id}/transfers")).Items().Select(t => t!.AsObject()).ToList();
        Assert.Equal(2, transfers.Count);
        Assert.Equal(sales.Id(), transfers[0]["toDepartmentId"]!.GetValue<long>());
        Assert.Null(transfers[0]["toUser"]);
        Assert.Equal("Bob", transfers[0]["fromUser"]!["name"]!.GetValue<string>());
        var first = transfers[1];
        Assert.Equal(("Ann", "Bob", "Ann"), (first["fromUser"]!["name"]!.GetValue<string>(), first["toUser"]!["name"]!.GetValue<string>(),
            first["transferredBy"]!["name"]!.GetValue<string>()));
        Assert.Equal(billing.Id(), first["toDepartmentId"]!.GetValue<long>());
        Assert.Equal("Disputed invoice", first["reason"]!.GetValue<string>());

        var assignments = (await bob.Api.GetJsonAsync($"/api/v1/conversations/{id}/assignments")).Items();
        Assert.Equal(["transfer", "manual"], assignments.Select(a => a!["assignmentType"]!.GetValue<string>()));
    }

    [Theory, Providers]
    public async Task CannedResponses_SharedOnesForEveryone_PersonalOnesForTheirOwnerOnly(DatabaseProvider provider)
    {
        var tenant = await (await servers.ForAsync(provider)).CreateTenantAsync();
        var ann = await SignedInAsync(tenant, Role.Agent, "Ann");
        var bob = await SignedInAsync(tenant, Role.Agent, "Bob");
        var supervisor = await tenant.ClientWithRoleAsync(Role.Supervisor);
        const string path = "/api/v1/canned-responses";

        var thanks = await ann.Api.PostJsonAsync(path, new { title = "Thanks", shortcut = "thanks", content = "Thank you for waiting!", platforms = new[] { "whatsapp" } },
            HttpStatusCode.Created);
        Assert.Equal((false, ann.Id), (thanks["isShared"]!.GetValue<bool>(), thanks["ownerId"]!.GetValue<long>()));
        Assert.Equal(["whatsapp"], thanks["platforms"]!.AsArray().Select(p => p!.GetValue<string>()));
        await ann.Api.PostJsonAsync(path, new { title = "Hi", shortcut = "hi", content = "Hi!", isShared = true }, HttpStatusCode.Forbidden);
        var hello = await supervisor.PostJsonAsync(path, new { title = "Greeting", shortcut = "hello", content = "Hello there, how can we help?", isShared = true },
            HttpStatusCode.Created);
        Assert.Null(hello["ownerId"]);

        Assert.Equal(["hello", "thanks"], Strings(await ann.Api.GetJsonAsync(path), "shortcut"));
        Assert.Equal(["hello"], Strings(await bob.Api.GetJsonAsync(path), "shortcut"));
        Assert.Equal(["thanks"], Strings(await ann.Api.GetJsonAsync(path + "?q=THANK"), "shortcut"));
        Assert.Equal(["hello"], Strings(await ann.Api.GetJsonAsync(path + "?q=how%20can"), "shortcut"));
        Assert.Equal(["hello"], Strings(await ann.Api.GetJsonAsync(path + "?q=greet"), "shortcut"));

        // Shortcuts are unique among what each person sees.
        await ann.Api.PostJsonAsync(path, new { title = "Again", shortcut = "Thanks", content = "x" }, HttpStatusCode.Conflict);
        await ann.Api.PostJsonAsync(path, new { title = "Mine", shortcut = "hello", content = "x" }, HttpStatusCode.Conflict);
        await bob.Api.PostJsonAsync(path, new { title = "Bob's", shortcut = "thanks", content = "Cheers" }, HttpStatusCode.Created);
        await AssertBadRequestAsync(await ann.Api.PostAsJsonAsync(path, new { title = "Spaced", shortcut = "two words", content = "x" }), "shortcut");
        Assert.Equal(2, (await ann.Api.GetJsonAsync(path)).Items().Count);

        // Someone else's personal one does not exist for Bob; a shared one is supervisors' to change.
        await bob.Api.PatchJsonAsync($"{path}/{thanks.Id()}", new { content = "Mine now" }, HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.Api.DeleteAsync($"{path}/{thanks.Id()}")).StatusCode);
        await bob.Api.PatchJsonAsync($"{path}/{hello.Id()}", new { content = "Yo" }, HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.Forbidden, (await bob.Api.DeleteAsync($"{path}/{hello.Id()}")).StatusCode);
        var edited = await ann.Api.PatchJsonAsync($"{path}/{thanks.Id()}", new { content = "Thanks a lot!", category = "closing" }, HttpStatusCode.OK);
        Assert.Equal(("Thanks a lot!", "closing"), (edited["content"]!.GetValue<string>(), edited["category"]!.GetValue<string>()));

        await bob.Api.PostJsonAsync($"{path}/{hello.Id()}/use", new { }, HttpStatusCode.OK);
        var used = await ann.Api.PostJsonAsync($"{path}/{hello.Id()}/use", new { }, HttpStatusCode.OK);
        Assert.Equal(2, used["usageCount"]!.GetValue<int>());
        await bob.Api.PostJsonAsync($"{path}/{thanks.Id()}/use", new { }, HttpStatusCode.NotFound);

        Assert.Equal(HttpStatusCode.NoContent, (await ann.Api.DeleteAsync($"{path}/{thanks.Id()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await supervisor.DeleteAsync($"{path}/{hello.Id()}")).StatusCode);
        Assert.Empty((await ann.Api.GetJsonAsync(path)).Items());
    }

    [Theory, Providers]
    public async Task TemplateSync_UpsertsEveryPageFromMeta_DeletesVanishedOnes_AndPassesMetasErrorsOn(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        await using var meta = await FakeMeta.StartAsync();
        meta.Templates.AddRange([
            FakeMeta.Template("order_update", "en_US", "Hi {{1}}, order {{2}} ships today. Thanks, {{1}}!"),
            FakeMeta.Template("order_update", "es", "Hola {{1}}, el pedido {{2}} sale hoy."),
            FakeMeta.Template("reminder", "en_US", "See you tomorrow."),
            FakeMeta.Template("spring_sale", "en_US", "Save 20% this week.", category: "MARKETING", status: "PENDING"),
            FakeMeta.Template("login_code", "en_US", "{{1}} is your code.", category: "AUTHENTICATION"),
        ]);
        var channel = await tenant.Owner.PostJsonAsync("/api/v1/channels", ChannelsTests.WhatsApp(), HttpStatusCode.Created);
        await tenant.Owner.PatchJsonAsync($"/api/v1/channels/{channel.Id()}", new { settings = new { apiBaseUrl = meta.BaseUrl } }, HttpStatusCode.OK);
        var sync = $"/api/v1/channels/{channel.Id()}/templates/sync";
        var list = $"/api/v1/message-templates?channelId={channel.Id()}";

        var synced = await tenant.Owner.PostJsonAsync(sync, new { }, HttpStatusCode.OK);
        Assert.Equal(5, synced.Items().Count);
        Assert.Equal(3, meta.TemplateRequests.Count); // three pages of two
        Assert.All(meta.TemplateRequests, r => Assert.Equal("Bearer EAAG-secret-token", r.Authorization));
        Assert.StartsWith("/v23.0/419561257915477/message_templates?limit=100", meta.TemplateRequests[0].Path);

        var templates = (await tenant.Owner.GetJsonAsync(list)).Items().Select(t => t!.AsObject()).ToList();
        Assert.Equal(["login_code", "order_update", "order_update", "reminder", "spring_sale"], templates.Select(t => t["name"]!.GetValue<string>()));
        var english = templates.Single(t => t["name"]!.GetValue<string>() == "order_update" && t["language"]!.GetValue<string>() == "en_US");
        Assert.Equal("Hi {{1}}, order {{2}} ships today. Thanks, {{1}}!", english["body"]!.GetValue<string>());
        Assert.Equal(2, english["parameterCount"]!.GetValue<int>());
        Assert.Equal(channel.Id(), english["channelId"]!.GetValue<long>());
        Assert.Equal(("utility", "APPROVED"), (english["category"]!.GetValue<string>(), english["status"]!.GetValue<string>()));
        Assert.Equal(0, templates.Single(t => t["name"]!.GetValue<string>() == "reminder")["parameterCount"]!.GetValue<int>());
        Assert.Equal(("marketing", "PENDING"), (templates[4]["category"]!.GetValue<string>(), templates[4]["status"]!.GetValue<string>()));
        Assert.Equal("authentication", templates[0]["category"]!.GetValue<string>());

        // Meta's later state: one approved, one gone, one new. Rows are updated in place.
        meta.Templates.RemoveAll(t => t["name"]!.GetValue<string>() == "reminder");
        meta.Templates.Single(t => t["name"]!.GetValue<string>() == "spring_sale")["status"] = "APPROVED";
        meta.Templates.Add(FakeMeta.Template("survey", "en_US", "Rate us, {{1}}."));
        await tenant.Owner.PostJsonAsync(sync, new { }, HttpStatusCode.OK);
        var resynced = (await tenant.Owner.GetJsonAsync(list)).Items().Select(t => t!.AsObject()).ToList();
        Assert.Equal(["login_code", "order_update", "order_update", "spring_sale", "survey"], resynced.Select(t => t["name"]!.GetValue<string>()));
        Assert.Equal(templates[4].Id(), resynced[3].Id());
        Assert.Equal("APPROVED", resynced[3]["status"]!.GetValue<string>());

        // Meta's error comes back as a 502 with its code and message; what was synced stays.
        meta.TemplateError = (401, 190, "Error validating access token: Session has expired.");
        var refused = await tenant.Owner.PostJsonAsync(sync, new { }, HttpStatusCode.BadGateway);
        Assert.Equal("190", refused["code"]!.GetValue<string>());
        Assert.Equal("Error validating access token: Session has expired.", refused["detail"]!.GetValue<string>());
        Assert.Equal(5, (await tenant.Owner.GetJsonAsync(list)).Items().Count);

        var webchat = await tenant.Owner.PostJsonAsync("/api/v1/channels", new { type = "webchat", name = "Site", settings = new { allowedOrigins = new[] { "https://example.com" } } },
            HttpStatusCode.Created);
        await tenant.Owner.PostJsonAsync($"/api/v1/channels/{webchat.Id()}/templates/sync", new { }, HttpStatusCode.BadRequest);
        var actions = (await tenant.Owner.GetJsonAsync("/api/v1/audit-logs?action=channels.sync_templates")).Items();
        Assert.Equal(2, actions.Count);
        Assert.Equal(1, actions[0]!["meta"]!["deleted"]!.GetValue<int>());
    }
}
