using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Platform.Database;
using Switchboard.Tenancy;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests;

/// <summary>An API key acts with its creator's authority: it stops working when that authority ends or falls below the key's
/// role, and managing it takes the rank that managing its creator does.</summary>
[Collection(ServerCollection.Name)]
public sealed class SecurityKeysTests(Servers servers)
{
    private const string MemberPassword = "member password 1";

    /// <summary>A member with <paramref name="role"/>, signed in to the console (a cookie client sending the CSRF token).</summary>
    internal static async Task<(long UserId, HttpClient Console)> SignedInMemberAsync(TenantHandle tenant, Role role)
    {
        var email = $"m{Guid.NewGuid():N}@{tenant.Slug}.test";
        var created = await tenant.Owner.PostJsonAsync("/api/v1/users",
            new { name = "Member", email, password = MemberPassword, role = Wire(role) }, HttpStatusCode.Created);
        var console = tenant.Factory.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true });
        await (await console.PostAsJsonAsync("/api/v1/auth/sign-in", new { email, password = MemberPassword })).JsonAsync(HttpStatusCode.OK);
        console.DefaultRequestHeaders.Add("X-CSRF-TOKEN", (await console.GetJsonAsync("/api/v1/auth/csrf"))["token"]!.GetValue<string>());
        return (created["user"]!.AsObject().Id(), console);
    }

    internal static async Task<(long Id, HttpClient Client)> CreateKeyAsync(SwitchboardFactory factory, HttpClient creator, Role role)
    {
        var key = await creator.PostJsonAsync("/api/v1/api-keys", new { name = $"{role} integration", role = Wire(role) }, HttpStatusCode.Created);
        return (key.Id(), factory.Client(key["key"]!.GetValue<string>()));
    }

    internal static string Wire(Role role) => role.ToString().ToLowerInvariant();

    private static async Task<string?> RefusalAsync(HttpClient client)
    {
        var response = await client.GetAsync("/api/v1/contacts");
        if (response.StatusCode == HttpStatusCode.OK)
            return null;
        return (await response.JsonAsync(HttpStatusCode.Unauthorized))["detail"]!.GetValue<string>();
    }

    [Theory, Providers]
    public async Task AnAdminDemotedToViewer_LosesTheAdminKeysTheyMade_ButKeepsKeysWithinTheirNewRole(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var (adminId, console) = await SignedInMemberAsync(tenant, Role.Admin);
        var adminKey = await CreateKeyAsync(factory, console, Role.Admin);
        var viewerKey = await CreateKeyAsync(factory, console, Role.Viewer);
        // A key made with the admin key answers to the same person, so a chain of keys cannot outlive them.
        var chainedKey = await CreateKeyAsync(factory, adminKey.Client, Role.Admin);
        Assert.Null(await RefusalAsync(chainedKey.Client));

        await tenant.Owner.PatchJsonAsync($"/api/v1/users/{adminId}", new { role = "viewer" }, HttpStatusCode.OK);

        Assert.Contains("no longer holds the Admin role", await RefusalAsync(adminKey.Client));
        Assert.Contains("no longer holds the Admin role", await RefusalAsync(chainedKey.Client));
        // The attack this closes: the old admin key making a new admin to restore its maker.
        var restore = await adminKey.Client.PostAsJsonAsync("/api/v1/users", new { name = "Back door", email = $"bd@{tenant.Slug}.test", role = "admin" });
        Assert.Equal(HttpStatusCode.Unauthorized, restore.StatusCode);
        Assert.Null(await RefusalAsync(viewerKey.Client));

        var listed = (await tenant.Owner.GetJsonAsync("/api/v1/api-keys")).Items().ToDictionary(k => k!.AsObject().Id(), k => k!["disabledReason"]);
        Assert.NotNull(listed[adminKey.Id]);
        Assert.Null(listed[viewerKey.Id]);

        // Given the role back, the key works again: the check reads the membership as it is now.
        await tenant.Owner.PatchJsonAsync($"/api/v1/users/{adminId}", new { role = "admin" }, HttpStatusCode.OK);
        Assert.Null(await RefusalAsync(adminKey.Client));
    }

    [Theory, Providers]
    public async Task KeysOfADisabledOrRemovedCreator_AreRefused(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var (memberId, console) = await SignedInMemberAsync(tenant, Role.Admin);
        var key = await CreateKeyAsync(factory, console, Role.Agent);
        Assert.Null(await RefusalAsync(key.Client));

        await tenant.Owner.PatchJsonAsync($"/api/v1/users/{memberId}", new { status = "disabled" }, HttpStatusCode.OK);
        Assert.Contains("no longer an active member", await RefusalAsync(key.Client));
        await tenant.Owner.PatchJsonAsync($"/api/v1/users/{memberId}", new { status = "active" }, HttpStatusCode.OK);
        Assert.Null(await RefusalAsync(key.Client));

        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Owner.DeleteAsync($"/api/v1/users/{memberId}")).StatusCode);
        Assert.NotNull(await RefusalAsync(key.Client));
        // A removal revokes their keys for good: the person joining again later does not bring them back.
        await factory.InTenantAsync(tenant.Id, async services =>
        {
            var db = services.GetRequiredService<SwitchboardDbContext>();
            db.Memberships.Add(new Membership { UserId = memberId, Role = Role.Admin, CreatedAt = DateTimeOffset.UtcNow });
            return await db.SaveChangesAsync();
        });
        Assert.Contains("revoked", await RefusalAsync(key.Client));
    }

    [Theory, Providers]
    public async Task AnAdmin_CannotRevokeTheOwnersKeys_NorAnOwnerRoleKey_ButRevokesKeysOfTheirRankOrBelow(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var (_, adminConsole) = await SignedInMemberAsync(tenant, Role.Admin);
        var admin = await tenant.ClientWithRoleAsync(Role.Admin);
        var ownersAgentKey = await CreateKeyAsync(factory, tenant.Owner, Role.Agent);
        var operatorOwnerKey = await tenant.ClientWithRoleAsync(Role.Owner);
        var keys = (await tenant.Owner.GetJsonAsync("/api/v1/api-keys")).Items().Select(k => k!.AsObject()).ToList();
        var ownersOwnKey = keys.Single(k => k["createdById"]?.GetValue<long>() == tenant.OwnerId && k["role"]!.GetValue<string>() == "owner").Id();
        var operatorKeyId = keys.Where(k => k["createdById"] is null && k["role"]!.GetValue<string>() == "owner").Max(k => k.Id());

        foreach (var client in new[] { admin, adminConsole })
        {
            foreach (var id in new[] { ownersOwnKey, ownersAgentKey.Id, operatorKeyId })
            {
                var refused = await (await client.DeleteAsync($"/api/v1/api-keys/{id}")).JsonAsync(HttpStatusCode.Forbidden);
                Assert.Contains("cannot revoke", refused["detail"]!.GetValue<string>());
            }
        }
        Assert.Null(await RefusalAsync(tenant.Owner));
        Assert.Null(await RefusalAsync(ownersAgentKey.Client));
        Assert.Null(await RefusalAsync(operatorOwnerKey));

        var adminsAgentKey = await CreateKeyAsync(factory, adminConsole, Role.Agent);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/api-keys/{adminsAgentKey.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Owner.DeleteAsync($"/api/v1/api-keys/{ownersAgentKey.Id}")).StatusCode);
    }

    [Theory, Providers]
    public async Task TheConsole_IsToldWhichKeysAMembershipChangeWouldDisable(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var (memberId, console) = await SignedInMemberAsync(tenant, Role.Admin);
        var adminKey = await CreateKeyAsync(factory, console, Role.Admin);
        var agentKey = await CreateKeyAsync(factory, console, Role.Agent);
        var revoked = await CreateKeyAsync(factory, console, Role.Admin);
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Owner.DeleteAsync($"/api/v1/api-keys/{revoked.Id}")).StatusCode);

        async Task<long[]> DisabledByAsync(string change) =>
            (await tenant.Owner.GetJsonAsync($"/api/v1/api-keys/disabled-by-change?userId={memberId}&{change}")).Items()
                .Select(k => k!.AsObject().Id()).Order().ToArray();

        Assert.Equal([adminKey.Id], await DisabledByAsync("role=supervisor"));
        Assert.Equal([adminKey.Id, agentKey.Id], await DisabledByAsync("role=viewer"));
        Assert.Equal([adminKey.Id, agentKey.Id], await DisabledByAsync("status=disabled"));
        Assert.Equal([adminKey.Id, agentKey.Id], await DisabledByAsync("remove=true"));
        Assert.Empty(await DisabledByAsync("role=admin"));
        // What the preview says is what the change does.
        await tenant.Owner.PatchJsonAsync($"/api/v1/users/{memberId}", new { role = "supervisor" }, HttpStatusCode.OK);
        Assert.NotNull(await RefusalAsync(adminKey.Client));
        Assert.Null(await RefusalAsync(agentKey.Client));

        await tenant.Owner.GetJsonAsync($"/api/v1/api-keys/disabled-by-change?userId={memberId}&role=boss", HttpStatusCode.BadRequest);
        await tenant.Owner.GetJsonAsync($"/api/v1/api-keys/disabled-by-change?userId={tenant.OwnerId + 1_000_000}&role=viewer", HttpStatusCode.NotFound);
        var other = await factory.CreateTenantAsync();
        await other.Owner.GetJsonAsync($"/api/v1/api-keys/disabled-by-change?userId={memberId}&role=viewer", HttpStatusCode.NotFound);
    }
}
