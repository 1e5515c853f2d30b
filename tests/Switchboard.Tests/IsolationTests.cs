using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Conversations;
using Switchboard.Platform.Database;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests;

/// <summary>Tenant isolation is enforced centrally; these tests prove it for every entity and every route.</summary>
[Collection(ServerCollection.Name)]
public sealed class IsolationTests(Servers servers)
{
    [Fact]
    public async Task EveryEntity_IsTenantOwnedWithAFilter_OrDeclaredPlatformWide()
    {
        var factory = await servers.ForAsync(DatabaseProvider.Sqlite);
        await using var scope = factory.Services.CreateAsyncScope();
        var model = scope.ServiceProvider.GetRequiredService<SwitchboardDbContext>().Model;
        foreach (var entity in model.GetEntityTypes())
        {
            var owned = typeof(ITenantOwned).IsAssignableFrom(entity.ClrType);
            var platform = typeof(IPlatformEntity).IsAssignableFrom(entity.ClrType);
            Assert.True(owned ^ platform, $"{entity.ClrType.Name} must be exactly one of ITenantOwned or IPlatformEntity.");
            if (owned)
                Assert.True(entity.GetDeclaredQueryFilters().Any(), $"{entity.ClrType.Name} is tenant-owned but has no tenant filter.");
        }
    }

    [Theory, Providers]
    public async Task TenantOwnedRows_SeenFromAnotherTenantOrNoTenant_AreInvisible(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var a = await factory.CreateTenantAsync();
        var b = await factory.CreateTenantAsync();
        await SeedEveryKindOfRowAsync(a);

        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SwitchboardDbContext>();
        var countOwnedBy = typeof(IsolationTests).GetMethod(nameof(CountOwnedByAsync), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
        var ownedTypes = db.Model.GetEntityTypes().Select(e => e.ClrType).Where(t => typeof(ITenantOwned).IsAssignableFrom(t)).ToList();

        // Without a tenant nothing is visible; in A everything seeded is; in B nothing of A's is.
        foreach (var type in ownedTypes)
            Assert.Equal(0, await (Task<int>)countOwnedBy.MakeGenericMethod(type).Invoke(null, [db, a.Id])!);
        scope.ServiceProvider.GetRequiredService<TenantContext>().Enter(b.Id);
        foreach (var type in ownedTypes)
            Assert.True(0 == await (Task<int>)countOwnedBy.MakeGenericMethod(type).Invoke(null, [db, a.Id])!, $"{type.Name} rows of tenant A are visible to tenant B.");

        var inA = await factory.InTenantAsync(a.Id, async services =>
        {
            var dbA = services.GetRequiredService<SwitchboardDbContext>();
            var counts = new List<int>();
            foreach (var type in ownedTypes)
                counts.Add(await (Task<int>)countOwnedBy.MakeGenericMethod(type).Invoke(null, [dbA, a.Id])!);
            return counts;
        });
        Assert.All(ownedTypes.Zip(inA), owned =>
            Assert.True(owned.Second > 0, $"{owned.First.Name}: every tenant-owned entity should have a row in A for this test to mean something"));
    }

    private static Task<int> CountOwnedByAsync<T>(SwitchboardDbContext db, long tenantId) where T : class, ITenantOwned =>
        db.Set<T>().CountAsync(e => e.TenantId == tenantId);

    /// <summary>One row of every tenant-owned kind in <paramref name="tenant"/>, made through the API.</summary>
    private static async Task<Dictionary<string, long>> SeedEveryKindOfRowAsync(TenantHandle tenant)
    {
        var api = tenant.Owner;
        var marker = "secret-" + tenant.Slug;
        var user = await api.PostJsonAsync("/api/v1/users", new { name = marker, email = $"{marker}@example.com", role = "agent" }, HttpStatusCode.Created);
        var userId = user["user"]!["id"]!.GetValue<long>();
        // Someone with an account elsewhere is invited (an invitation row).
        var elsewhere = await tenant.Factory.CreateTenantAsync();
        await api.PostJsonAsync("/api/v1/users", new { name = marker, email = elsewhere.OwnerEmail, role = "viewer" }, HttpStatusCode.Created);
        var department = await api.PostJsonAsync("/api/v1/departments", new { name = marker, memberIds = new[] { userId } }, HttpStatusCode.Created);
        var contact = await api.PostJsonAsync("/api/v1/contacts", new
        {
            name = marker, phone = "+15550000001", tags = new[] { marker }, departmentIds = new[] { department.Id() },
        }, HttpStatusCode.Created);
        var key = await api.PostJsonAsync("/api/v1/api-keys", new { name = marker, role = "viewer" }, HttpStatusCode.Created);
        var channel = await api.PostJsonAsync("/api/v1/channels", new
        {
            type = "webchat", name = marker, settings = new { allowedOrigins = new[] { "https://www.example.com" } }, departmentIds = new[] { department.Id() },
        }, HttpStatusCode.Created);
        // A webhook subscription first, so the inbox events below leave deliveries in its log.
        var webhook = await api.PostJsonAsync("/api/v1/webhooks", new { url = MessagingTests.Nowhere + "/hooks", description = marker }, HttpStatusCode.Created);
        // A default SLA policy first, so the conversations below start under it.
        var sla = await api.PostJsonAsync("/api/v1/sla-policies", new { name = marker, firstResponseTimeMinutes = 15, resolutionTimeHours = 8, isDefault = true },
            HttpStatusCode.Created);
        // WhatsApp messages in (a text and an image, fetched from Meta), so conversations, messages, attachments, media and
        // stored webhooks exist too; a template out, so it is synced first and its send has a status.
        await using var meta = await FakeMeta.StartAsync();
        meta.Templates.Add(FakeMeta.Template("welcome", "en_US", "Hi {{1}}"));
        var whatsapp = await api.PostJsonAsync("/api/v1/channels", ChannelsTests.WhatsApp(marker + " WhatsApp"), HttpStatusCode.Created);
        await api.PatchJsonAsync($"/api/v1/channels/{whatsapp.Id()}", new { settings = new { apiBaseUrl = meta.BaseUrl } }, HttpStatusCode.OK);
        var image = WhatsAppWebhookTests.InboundText("wamid.image." + marker, type: "image").Replace("{\"body\":", "{\"id\":\"1234567890\",\"caption\":");
        foreach (var inbound in new[] { WhatsAppWebhookTests.InboundText("wamid." + marker), image })
            await tenant.Factory.CreateClient().SendAsync(WhatsAppWebhookTests.Signed(whatsapp.Id(), inbound));
        await WhatsAppWebhookTests.WaitForAsync(tenant.Factory, tenant.Id, async db => await db.Messages.CountAsync() == 2 && await db.MediaFiles.AnyAsync());
        var conversationId = (await api.GetJsonAsync("/api/v1/conversations")).Items().Single()!["id"]!.GetValue<long>();
        await api.PostJsonAsync($"/api/v1/channels/{whatsapp.Id()}/templates/sync", new { }, HttpStatusCode.OK);
        await api.PostJsonAsync($"/api/v1/conversations/{conversationId}/messages",
            new { type = "template", template = new { name = "welcome", language = "en_US", parameters = new[] { marker } } }, HttpStatusCode.Accepted);
        await WhatsAppWebhookTests.WaitForAsync(tenant.Factory, tenant.Id, async db => await db.MessageStatusUpdates.AnyAsync());
        var attachmentId = (await api.GetJsonAsync($"/api/v1/conversations/{conversationId}/messages")).Items()
            .SelectMany(m => m!["attachments"]!.AsArray()).Single()!["id"]!.GetValue<long>();

        var tag = await api.PostJsonAsync("/api/v1/conversation-tags", new { name = marker, color = "#3b5bdb" }, HttpStatusCode.Created);
        await (await api.PutAsJsonAsync($"/api/v1/conversations/{conversationId}/tags", new { tagIds = new[] { tag.Id() } })).JsonAsync(HttpStatusCode.OK);
        await api.PostJsonAsync($"/api/v1/conversations/{conversationId}/notes", new { content = marker }, HttpStatusCode.Created);
        await api.PostJsonAsync($"/api/v1/conversations/{conversationId}/assign", new { userId }, HttpStatusCode.OK);
        await api.PostJsonAsync($"/api/v1/conversations/{conversationId}/transfer", new { toDepartmentId = department.Id(), reason = marker }, HttpStatusCode.OK);
        var canned = await api.PostJsonAsync("/api/v1/canned-responses", new { title = marker, shortcut = "hello", content = marker, isShared = true },
            HttpStatusCode.Created);
        // A visitor's chat on the web-chat channel: a chat session (with its own contact and conversation).
        await WebChatTests.StartAsync(tenant.Factory, channel.Id(), "https://www.example.com", new { name = marker });

        var upload = await api.PostAsync("/api/v1/contacts/imports", new StringContent($"name,phone\n{marker},+15550000002\n", System.Text.Encoding.UTF8, "text/csv"));
        var import = await upload.JsonAsync(HttpStatusCode.Accepted);
        return new Dictionary<string, long>
        {
            ["users"] = userId, ["departments"] = department.Id(), ["contacts"] = contact.Id(), ["api-keys"] = key.Id(),
            ["contacts/imports"] = import.Id(), ["channels"] = channel.Id(), ["conversations"] = conversationId, ["attachments"] = attachmentId,
            ["conversation-tags"] = tag.Id(), ["canned-responses"] = canned.Id(),
            ["webhooks"] = webhook.Id(), ["sla-policies"] = sla.Id(),
        };
    }

    [Theory, Providers]
    public async Task EveryApiRoute_AskedForAnotherTenantsResource_AnswersNotFoundAndChangesNothing(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var a = await factory.CreateTenantAsync();
        var b = await factory.CreateTenantAsync();
        var ids = await SeedEveryKindOfRowAsync(a);

        var routes = Routes.Api(factory.Services).Where(r => r.Parameters.Count > 0).ToList();
        Assert.NotEmpty(routes);
        foreach (var route in routes)
        {
            if (route.Endpoint.Metadata.GetMetadata<Identity.RequiresSuperAdmin>() is not null || route.Endpoint.Metadata.GetMetadata<Identity.RequiresPerson>() is not null)
            {
                // Platform routes span tenants by design; a tenant's own owner is simply not allowed in. A person's own routes
                // (their invitations) are never open to a tenant's key: SecurityIdentityTests covers one person against another.
                var refused = await b.Owner.SendAsync(new HttpRequestMessage(new HttpMethod(route.Method), route.Url(_ => a.Id.ToString())) { Content = Http.RawJson("{}") });
                Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, $"{route.Method} /{route.Pattern} answered {(int)refused.StatusCode} to a tenant owner.");
                continue;
            }
            // The resource a parameter names is the collection in front of it: users/{id} -> users.
            var collection = route.Pattern["api/v1/".Length..route.Pattern.IndexOf('{')].TrimEnd('/');
            Assert.True(ids.ContainsKey(collection), $"{route.Method} /{route.Pattern}: add a tenant-A resource of '{collection}' to this test.");
            var request = new HttpRequestMessage(new HttpMethod(route.Method), route.Url(_ => ids[collection].ToString()));
            if (route.Method is "POST" or "PUT" or "PATCH")
                request.Content = Http.RawJson("{\"name\":\"hijacked\"}");
            var response = await b.Owner.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound,
                $"{route.Method} /{route.Pattern} as tenant B answered {(int)response.StatusCode} for tenant A's resource.");
        }

        // Nothing changed in A: each resource still reads back untouched, and A's keys are not revoked.
        foreach (var (collection, id) in ids.Where(i => routes.Any(r => r.Method == "GET" && r.Pattern.StartsWith($"api/v1/{i.Key}/{{", StringComparison.Ordinal))))
            Assert.DoesNotContain("hijacked", await a.Owner.GetStringAsync($"/api/v1/{collection}/{id}"));
        Assert.DoesNotContain("\"revokedAt\":\"", await a.Owner.GetStringAsync("/api/v1/api-keys"));
    }

    [Theory, Providers]
    public async Task EveryListRoute_ForAnotherTenant_ShowsNothingOfTheFirst(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var a = await factory.CreateTenantAsync();
        var b = await factory.CreateTenantAsync();
        await SeedEveryKindOfRowAsync(a);
        var lists = Routes.Api(factory.Services).Where(r => r.Method == "GET" && r.Parameters.Count == 0 && !r.IsAnonymous).ToList();
        Assert.Contains(lists, r => r.Pattern == "api/v1/contacts");
        foreach (var route in lists)
        {
            var body = await (await b.Owner.GetAsync("/" + route.Pattern)).Content.ReadAsStringAsync();
            Assert.DoesNotContain("secret-" + a.Slug, body);
        }
        Assert.Contains("secret-" + a.Slug, await a.Owner.GetStringAsync("/api/v1/contacts"));
    }

    [Theory, Providers]
    public async Task MergingContacts_AcrossTenants_IsNotFound(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var a = await factory.CreateTenantAsync();
        var b = await factory.CreateTenantAsync();
        var theirs = await a.Owner.PostJsonAsync("/api/v1/contacts", new { name = "A's", phone = "+15550000009" }, HttpStatusCode.Created);
        var mine = await b.Owner.PostJsonAsync("/api/v1/contacts", new { name = "B's", phone = "+15550000008" }, HttpStatusCode.Created);
        var response = await b.Owner.PostAsJsonAsync("/api/v1/contacts/merge", new { primaryId = mine.Id(), secondaryId = theirs.Id() });
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        await (await a.Owner.GetAsync($"/api/v1/contacts/{theirs.Id()}")).JsonAsync(HttpStatusCode.OK);
    }
}
