using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Platform.Database;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests;

[Collection(ServerCollection.Name)]
public sealed class AuditTests(Servers servers)
{
    [Theory, Providers]
    public async Task StateChanges_AreAudited_AndFailedOnesAreNot(DatabaseProvider provider)
    {
        var tenant = await (await servers.ForAsync(provider)).CreateTenantAsync();
        var api = tenant.Owner;
        var contact = await api.PostJsonAsync("/api/v1/contacts", new { name = "Audited", phone = "+15554440001" }, HttpStatusCode.Created);
        await api.PatchJsonAsync($"/api/v1/contacts/{contact.Id()}", new { name = "Audited twice" }, HttpStatusCode.OK);
        await api.PostJsonAsync("/api/v1/contacts", new { name = "Duplicate", phone = "+15554440001" }, HttpStatusCode.Conflict);
        await api.PostJsonAsync("/api/v1/departments", new { name = "Support" }, HttpStatusCode.Created);

        var entries = (await api.GetJsonAsync("/api/v1/audit-logs")).Items();
        Assert.Equal(["tenancy.create_department", "contacts.update", "contacts.create"], entries.Select(e => e!["action"]!.GetValue<string>()));
        var create = entries.Last()!;
        Assert.Equal("contacts", create["module"]!.GetValue<string>());
        Assert.Equal(contact.Id(), create["meta"]!["contactId"]!.GetValue<long>());
        Assert.NotNull(create["apiKeyId"]);
        Assert.Equal("name", entries[1]!["meta"]!["fields"]!.GetValue<string>());
        // The failed duplicate wrote no contact and no entry.
        Assert.Single((await api.GetJsonAsync("/api/v1/contacts")).Items());
    }

    [Theory, Providers]
    public async Task TheLog_FiltersByModuleUserActionDateAndText_AndPagesNewestFirst(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var api = tenant.Owner;
        var start = factory.Clock.GetUtcNow();
        for (var i = 0; i < 12; i++)
        {
            factory.Clock.Advance(TimeSpan.FromSeconds(1));
            await api.PostJsonAsync("/api/v1/contacts", new { name = $"Needle {i}", phone = $"+1555333{i:0000}" }, HttpStatusCode.Created);
        }
        await api.PostJsonAsync("/api/v1/departments", new { name = "Haystack" }, HttpStatusCode.Created);

        async Task<List<string>> Actions(string query) =>
            (await api.GetJsonAsync("/api/v1/audit-logs?" + query)).Items().Select(e => e!["action"]!.GetValue<string>()).ToList();
        Assert.Equal(12, (await Actions("module=contacts")).Count);
        Assert.Equal(["tenancy.create_department"], await Actions("module=tenancy"));
        Assert.Equal(12, (await Actions("action=contacts.create")).Count);
        Assert.Equal(["contacts.create"], await Actions("q=needle 7"));
        Assert.Equal(["tenancy.create_department"], await Actions("q=HAYSTACK"));
        var window = Uri.EscapeDataString(start.AddSeconds(2.5).ToString("O"));
        var windowEnd = Uri.EscapeDataString(start.AddSeconds(5.5).ToString("O"));
        Assert.Equal(3, (await Actions($"from={window}&to={windowEnd}")).Count);
        Assert.Empty(await Actions($"userId={tenant.OwnerId + 100000}"));

        var ids = new List<long>();
        string? cursor = null;
        do
        {
            var page = await api.GetJsonAsync($"/api/v1/audit-logs?limit=5{(cursor is null ? "" : "&cursor=" + cursor)}");
            ids.AddRange(page.Items().Select(e => e!["id"]!.GetValue<long>()));
            cursor = page["nextCursor"]?.GetValue<string>();
        } while (cursor is not null);
        Assert.Equal(13, ids.Count);
        Assert.Equal(ids.OrderDescending(), ids);
    }

    [Theory, Providers]
    public async Task AuditEntries_CannotBeRewritten_EvenBypassingTheApplication(DatabaseProvider provider)
    {
        var tenant = await (await servers.ForAsync(provider)).CreateTenantAsync();
        await tenant.Owner.PostJsonAsync("/api/v1/departments", new { name = "Immutable" }, HttpStatusCode.Created);
        await tenant.Factory.InTenantAsync(tenant.Id, async services =>
        {
            var db = services.GetRequiredService<SwitchboardDbContext>();
            var entry = await db.AuditLogs.FirstAsync();
            entry.Action = "nothing.happened";
            Assert.Throws<InvalidOperationException>(() => db.SaveChanges());
            db.ChangeTracker.Clear();
            await Assert.ThrowsAnyAsync<Exception>(() => db.Database.ExecuteSqlRawAsync("UPDATE audit_logs SET action = 'nothing.happened'"));
            return 0;
        });
        var actions = (await tenant.Owner.GetJsonAsync("/api/v1/audit-logs")).Items().Select(e => e!["action"]!.GetValue<string>());
        Assert.DoesNotContain("nothing.happened", actions);
    }
}
