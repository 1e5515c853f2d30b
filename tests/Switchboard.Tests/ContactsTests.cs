using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Platform.Database;
using Switchboard.Tenancy;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests;

[Collection(ServerCollection.Name)]
public sealed class ContactsTests(Servers servers)
{
    private static object Ada(string phone = "+447700900123", string email = "Ada@Example.com") => new
    {
        name = "Ada Lovelace", phone, email, extraPhones = new[] { "+447700900124" }, tags = new[] { "vip", "math" },
        optIns = new { whatsapp = new { optedIn = true, source = "web form" } },
        customAttributes = new { plan = "gold" },
        banking = new { bankName = "Analytical Bank", accountNumber = "12345678", iban = "GB82 WEST 1234 5698 7654 32" },
    };

    [Theory, Providers]
    public async Task AContact_IsCreatedReadUpdatedAndDeleted(DatabaseProvider provider)
    {
        var tenant = await (await servers.ForAsync(provider)).CreateTenantAsync();
        var api = tenant.Owner;
        var created = await api.PostJsonAsync("/api/v1/contacts", Ada(), HttpStatusCode.Created);
        Assert.Equal("ada@example.com", created["email"]!.GetValue<string>());
        Assert.Equal("447700900123", created["waId"]!.GetValue<string>());
        Assert.True(created["optIns"]!["whatsapp"]!["optedIn"]!.GetValue<bool>());
        Assert.NotNull(created["optIns"]!["whatsapp"]!["at"]);
        Assert.Equal("GB82WEST12345698765432", created["banking"]!["iban"]!.GetValue<string>());

        var updated = await api.PatchJsonAsync($"/api/v1/contacts/{created.Id()}", new { name = "Augusta Ada King", tags = new[] { "vip" }, email = (string?)null }, HttpStatusCode.OK);
        Assert.Equal("Augusta Ada King", updated["name"]!.GetValue<string>());
        Assert.Null(updated["email"]);
        Assert.Equal(["vip"], updated["tags"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal("+447700900123", updated["phone"]!.GetValue<string>()); // absent from the patch: kept
        Assert.Equal("gold", updated["customAttributes"]!["plan"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/v1/contacts/{created.Id()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/v1/contacts/{created.Id()}")).StatusCode);
    }

    [Theory, Providers]
    public async Task ADuplicatePhoneOrEmail_Is409_NamingTheExistingContact(DatabaseProvider provider)
    {
        var tenant = await (await servers.ForAsync(provider)).CreateTenantAsync();
        var first = await tenant.Owner.PostJsonAsync("/api/v1/contacts", Ada(), HttpStatusCode.Created);
        var byPhone = await tenant.Owner.PostJsonAsync("/api/v1/contacts", new { name = "Copy", phone = "+44 7700-900123" }, HttpStatusCode.Conflict);
        Assert.Equal(first.Id(), byPhone["existingId"]!.GetValue<long>());
        var byEmail = await tenant.Owner.PostJsonAsync("/api/v1/contacts", new { name = "Copy", email = "ADA@example.com" }, HttpStatusCode.Conflict);
        Assert.Equal(first.Id(), byEmail["existingId"]!.GetValue<long>());
        // Another tenant may hold the same number.
        var other = await tenant.Factory.CreateTenantAsync();
        await other.Owner.PostJsonAsync("/api/v1/contacts", Ada(), HttpStatusCode.Created);
    }

    [Theory, Providers]
    public async Task BadInput_GetsAProblemNamingWhatIsWrong_AndWritesNothing(DatabaseProvider provider)
    {
        var tenant = await (await servers.ForAsync(provider)).CreateTenantAsync();
        var api = tenant.Owner;
        var invalid = await api.PostJsonAsync("/api/v1/contacts", new { name = "", phone = "0123", email = "not-an-email", extraPhones = new[] { "+1" } }, HttpStatusCode.BadRequest);
        Assert.Equal(["email", "extraPhones[0]", "name", "phone"], invalid["errors"]!.AsObject().Select(e => e.Key).Order());

        var malformed = await (await api.PostAsync("/api/v1/contacts", Http.RawJson("{\"name\": \"x\","))).JsonAsync(HttpStatusCode.BadRequest);
        Assert.Contains("Invalid JSON", malformed["detail"]!.GetValue<string>());
        var nul = await (await api.PostAsync("/api/v1/contacts", Http.RawJson("{\"name\": \"Ada\\u0000\"}"))).JsonAsync(HttpStatusCode.BadRequest);
        Assert.Contains("$.name", nul["detail"]!.GetValue<string>());
        var wrongType = await (await api.PostAsync("/api/v1/contacts", Http.RawJson("{\"name\": \"x\", \"tags\": \"vip\"}"))).JsonAsync(HttpStatusCode.BadRequest);
        Assert.Contains("$.tags", wrongType["detail"]!.GetValue<string>());
        var unknownRole = await (await api.PostAsync("/api/v1/api-keys", Http.RawJson("{\"name\": \"x\", \"role\": \"emperor\"}"))).JsonAsync(HttpStatusCode.BadRequest);
        Assert.Contains("$.role", unknownRole["detail"]!.GetValue<string>());
        var numericRole = await api.PostAsync("/api/v1/api-keys", Http.RawJson("{\"name\": \"x\", \"role\": 0}"));
        Assert.Equal(HttpStatusCode.BadRequest, numericRole.StatusCode);

        var huge = "{\"name\": \"" + new string('x', 2 * 1024 * 1024) + "\"}";
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await api.PostAsync("/api/v1/contacts", Http.RawJson(huge))).StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await api.PostAsync("/api/v1/contacts", new StringContent("name=x", Encoding.UTF8, "application/x-www-form-urlencoded"))).StatusCode);

        Assert.Empty((await api.GetJsonAsync("/api/v1/contacts")).Items());
        var badQuery = await api.GetJsonAsync("/api/v1/contacts?sort=age&cursor=zzz&limit=1000", HttpStatusCode.BadRequest);
        Assert.Equal(["cursor", "limit", "sort"], badQuery["errors"]!.AsObject().Select(e => e.Key).Order());
    }

    [Theory, Providers]
    public async Task BankingFields_AreEncryptedAtRest_MaskedInLists_AndShownOnlyToRolesAllowedToSeeThem(DatabaseProvider provider)
    {
        var tenant = await (await servers.ForAsync(provider)).CreateTenantAsync();
        var created = await tenant.Owner.PostJsonAsync("/api/v1/contacts", Ada(), HttpStatusCode.Created);

        var stored = await tenant.Factory.InTenantAsync(tenant.Id, services =>
            services.GetRequiredService<SwitchboardDbContext>().Contacts.Where(c => c.Id == created.Id()).Select(c => c.BankingCiphertext).SingleAsync());
        Assert.DoesNotContain("12345678", stored);
        Assert.DoesNotContain("Analytical", stored);

        var listed = (await tenant.Owner.GetJsonAsync("/api/v1/contacts")).Items().Single()!;
        Assert.Equal("••••5678", listed["banking"]!["accountNumber"]!.GetValue<string>());
        Assert.Equal("12345678", (await tenant.Owner.GetJsonAsync($"/api/v1/contacts/{created.Id()}"))["banking"]!["accountNumber"]!.GetValue<string>());
        var agent = await tenant.ClientWithRoleAsync(Role.Agent);
        Assert.Equal("••••5678", (await agent.GetJsonAsync($"/api/v1/contacts/{created.Id()}"))["banking"]!["accountNumber"]!.GetValue<string>());
    }

    [Theory, Providers]
    public async Task BankingDetails_AreWrittenOnlyWithContactsBanking_AndAuditedMasked(DatabaseProvider provider)
    {
        var tenant = await (await servers.ForAsync(provider)).CreateTenantAsync();
        var created = await tenant.Owner.PostJsonAsync("/api/v1/contacts", Ada(), HttpStatusCode.Created);
        var supervisor = await tenant.ClientWithRoleAsync(Role.Supervisor);

        // contacts.write (and contacts.import) without contacts.banking: every way in is refused, and nothing changes.
        var forged = new { bankName = "Mule Bank", accountNumber = "99990000" };
        await supervisor.PatchJsonAsync($"/api/v1/contacts/{created.Id()}", new { name = "Renamed", banking = forged }, HttpStatusCode.Forbidden);
        await supervisor.PatchJsonAsync($"/api/v1/contacts/{created.Id()}", new { banking = (object?)null }, HttpStatusCode.Forbidden);
        await supervisor.PostJsonAsync("/api/v1/contacts", new { name = "New", phone = "+15550009999", banking = forged }, HttpStatusCode.Forbidden);
        var csv = new StringContent("name,phone,account_number\nAda Lovelace,+447700900123,99990000\n", Encoding.UTF8, "text/csv");
        await (await supervisor.PostAsync("/api/v1/contacts/imports", csv)).JsonAsync(HttpStatusCode.Forbidden);
        var unchanged = await tenant.Owner.GetJsonAsync($"/api/v1/contacts/{created.Id()}");
        Assert.Equal("Ada Lovelace", unchanged["name"]!.GetValue<string>());
        Assert.Equal("12345678", unchanged["banking"]!["accountNumber"]!.GetValue<string>());
        Assert.Single((await tenant.Owner.GetJsonAsync("/api/v1/contacts")).Items());
        Assert.Empty((await tenant.Owner.GetJsonAsync("/api/v1/contacts/imports")).Items());
        // Other fields stay writable for them.
        await supervisor.PatchJsonAsync($"/api/v1/contacts/{created.Id()}", new { name = "Renamed" }, HttpStatusCode.OK);

        // With the permission, the change is audited as masked before and after, never in full.
        await tenant.Owner.PatchJsonAsync($"/api/v1/contacts/{created.Id()}", new { banking = new { bankName = "Difference Bank", accountNumber = "87654321" } }, HttpStatusCode.OK);
        var entry = (await tenant.Owner.GetJsonAsync("/api/v1/audit-logs?action=contacts.update")).Items().First()!;
        Assert.Equal("••••5678", entry["meta"]!["banking"]!["before"]!["accountNumber"]!.GetValue<string>());
        Assert.Equal("••••4321", entry["meta"]!["banking"]!["after"]!["accountNumber"]!.GetValue<string>());
        Assert.Equal("Difference Bank", entry["meta"]!["banking"]!["after"]!["bankName"]!.GetValue<string>());
        var log = await tenant.Owner.GetStringAsync("/api/v1/audit-logs");
        Assert.DoesNotContain("87654321", log);
        Assert.DoesNotContain("12345678", log);
    }

    [Theory, Providers]
    public async Task TheList_SearchesFiltersSortsAndPagesWithoutGapsOrRepeats(DatabaseProvider provider)
    {
        var tenant = await (await servers.ForAsync(provider)).CreateTenantAsync();
        var api = tenant.Owner;
        var department = await api.PostJsonAsync("/api/v1/departments", new { name = "Sales" }, HttpStatusCode.Created);
        for (var i = 0; i < 25; i++)
        {
            await api.PostJsonAsync("/api/v1/contacts", new
            {
                name = i % 5 == 0 ? $"Grace Hopper {i:00}" : $"Person {i:00}",
                phone = $"+1555010{i:0000}",
                email = $"p{i}@example.com",
                tags = i % 2 == 0 ? new[] { "even" } : [],
                departmentIds = i < 3 ? new[] { department.Id() } : [],
                assignedToId = i == 7 ? tenant.OwnerId : (long?)null,
                optIns = new { sms = new { optedIn = i % 3 == 0 } },
            }, HttpStatusCode.Created);
        }

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await api.GetJsonAsync($"/api/v1/contacts?limit=7{(cursor is null ? "" : "&cursor=" + cursor)}");
            seen.AddRange(page.Items().Select(c => c!["name"]!.GetValue<string>()));
            cursor = page["nextCursor"]?.GetValue<string>();
        } while (cursor is not null);
        Assert.Equal(25, seen.Count);
        Assert.Equal(seen.Order(StringComparer.Ordinal), seen);

        async Task<List<string>> Names(string query) =>
            (await api.GetJsonAsync("/api/v1/contacts?" + query)).Items().Select(c => c!["name"]!.GetValue<string>()).ToList();
        Assert.Equal(5, (await Names("q=hopper")).Count);
        Assert.Equal(["Person 07"], await Names("q=p7@example"));
        Assert.Equal(["Person 12"], await Names("q=555 010 0012"));
        Assert.Empty(await Names("q=%25"));
        Assert.Equal(13, (await Names("tag=even&limit=200")).Count);
        Assert.Equal(3, (await Names($"departmentId={department.Id()}")).Count);
        Assert.Equal(["Person 07"], await Names($"assignedToId={tenant.OwnerId}"));
        Assert.Equal(24, (await Names("assignedToId=unassigned&limit=200")).Count);
        Assert.Equal(9, (await Names("optIn=sms&limit=200")).Count);
        Assert.Equal(16, (await Names("optedOut=sms&limit=200")).Count);
        var newestFirst = await Names("sort=-createdAt&limit=3");
        Assert.Equal(["Person 24", "Person 23", "Person 22"], newestFirst);
        var descending = await Names("sort=-name&limit=200");
        Assert.Equal(seen.AsEnumerable().Reverse(), descending);
    }

    [Theory, Providers]
    public async Task Merging_FoldsTheSecondContactIntoTheFirst(DatabaseProvider provider)
    {
        var tenant = await (await servers.ForAsync(provider)).CreateTenantAsync();
        var api = tenant.Owner;
        var primary = await api.PostJsonAsync("/api/v1/contacts", new { name = "Ada", phone = "+15550001111", tags = new[] { "a" }, customAttributes = new { plan = "gold" } }, HttpStatusCode.Created);
        var secondary = await api.PostJsonAsync("/api/v1/contacts", new { name = "Ada L.", phone = "+15550002222", email = "ada@example.com", tags = new[] { "b" }, customAttributes = new { plan = "silver", city = "London" } }, HttpStatusCode.Created);

        var merged = await api.PostJsonAsync("/api/v1/contacts/merge", new { primaryId = primary.Id(), secondaryId = secondary.Id() }, HttpStatusCode.OK);
        Assert.Equal("Ada", merged["name"]!.GetValue<string>());
        Assert.Equal("ada@example.com", merged["email"]!.GetValue<string>());
        Assert.Equal(["+15550002222"], merged["extraPhones"]!.AsArray().Select(p => p!.GetValue<string>()));
        Assert.Equal(["a", "b"], merged["tags"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal("gold", merged["customAttributes"]!["plan"]!.GetValue<string>());
        Assert.Equal("London", merged["customAttributes"]!["city"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/v1/contacts/{secondary.Id()}")).StatusCode);
    }

    [Theory, Providers]
    public async Task TheCsvExport_HoldsTheFilteredContacts_InTheImportFormat(DatabaseProvider provider)
    {
        var tenant = await (await servers.ForAsync(provider)).CreateTenantAsync();
        await tenant.Owner.PostJsonAsync("/api/v1/contacts", Ada(), HttpStatusCode.Created);
        await tenant.Owner.PostJsonAsync("/api/v1/contacts", new { name = "Other, \"quoted\"", phone = "+15550003333" }, HttpStatusCode.Created);

        var response = await tenant.Owner.GetAsync("/api/v1/contacts/export?tag=vip");
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        Assert.StartsWith("name,email,phone,extra_phones,wa_id,tags", lines[0]);
        Assert.Equal(2, lines.Count);
        // Phone numbers start with "+", which a spreadsheet would evaluate: they are written as text (see ImportTests).
        Assert.Contains("Ada Lovelace,ada@example.com,\"'+447700900123\",\"'+447700900124\",447700900123,math;vip", lines[1]);
        Assert.Contains("12345678", lines[1]);

        var agentExport = await (await tenant.ClientWithRoleAsync(Role.Supervisor)).GetStringAsync("/api/v1/contacts/export");
        Assert.DoesNotContain("account_number", agentExport);
        Assert.Contains("\"Other, \"\"quoted\"\"\"", agentExport);
    }
}
