using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Platform.Database;
using Switchboard.Tenancy;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests;

/// <summary>An open <c>/hubs/inbox</c> connection is authenticated once, when it opens; these prove it does not outlive the
/// access it was opened with: closed at once when a change ends it (on every node), checked on every hub call, and checked
/// periodically for what no change announced. The server's periodic check runs every 30 s by default, so a close within a
/// few seconds is the immediate one.</summary>
[Collection(ServerCollection.Name)]
public sealed class SecurityLiveConnectionsTests(Servers servers)
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(10);

    internal static string KeyOf(HttpClient client) => client.DefaultRequestHeaders.Authorization!.Parameter!;

    /// <summary>The session cookie of a member with <paramref name="role"/>, signed in as the console does.</summary>
    private static async Task<(long UserId, string Cookie)> MemberSessionAsync(TenantHandle tenant, Role role)
    {
        var email = $"m{Guid.NewGuid():N}@{tenant.Slug}.test";
        const string password = "member password 1";
        var created = await tenant.Owner.PostJsonAsync("/api/v1/users",
            new { name = "Member", email, password, role = SecurityKeysTests.Wire(role) }, HttpStatusCode.Created);
        var anonymous = tenant.Factory.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });
        var signIn = await anonymous.PostAsJsonAsync("/api/v1/auth/sign-in", new { email, password });
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        var cookie = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("sb.session=", StringComparison.Ordinal)).Split(';')[0];
        return (created["user"]!.AsObject().Id(), cookie);
    }

    private static async Task<long> KeyIdAsync(TenantHandle tenant, string name) =>
        (await tenant.Owner.GetJsonAsync("/api/v1/api-keys")).Items().Where(k => k!["name"]!.GetValue<string>() == name).Max(k => k!.AsObject().Id());

    private static async Task<long> ConversationAsync(TenantHandle tenant)
    {
        var channel = await tenant.Owner.PostJsonAsync("/api/v1/channels", ChannelsTests.WhatsApp(apiBaseUrl: MessagingTests.Nowhere), HttpStatusCode.Created);
        return await MessagingTests.CustomerWritesAsync(tenant, channel.Id(), "15550000" + Random.Shared.Next(100, 999), "Radia", "Hello");
    }

    [Theory, Providers]
    public async Task ARevokedKeysConnection_IsClosedAtOnce_AndCanNoLongerJoinAConversation(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var conversation = await ConversationAsync(tenant);
        var agent = await tenant.ClientWithRoleAsync(Role.Agent);
        await using var hub = await HubClient.ConnectAsync(factory, KeyOf(agent));
        await hub.InvokeAsync("JoinConversation", conversation);
        await using var bystander = await HubClient.ConnectAsync(factory, KeyOf(tenant.Owner));

        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Owner.DeleteAsync($"/api/v1/api-keys/{await KeyIdAsync(tenant, "Agent key")}")).StatusCode);

        await hub.ClosedAsync(Soon);
        await Assert.ThrowsAnyAsync<Exception>(() => hub.InvokeAsync("JoinConversation", conversation));
        await bystander.InvokeAsync("JoinConversation", conversation);
    }

    [Theory, Providers]
    public async Task AHubCall_AfterAccessEndedUnannounced_IsRefused_AndClosesTheConnection(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var conversation = await ConversationAsync(tenant);
        var agent = await tenant.ClientWithRoleAsync(Role.Agent);
        await using var hub = await HubClient.ConnectAsync(factory, KeyOf(agent));
        var keyId = await KeyIdAsync(tenant, "Agent key");
        // Behind the application's back: no event announces it, so only the per-call check can catch it before the next pass.
        await factory.InTenantAsync(tenant.Id, services => services.GetRequiredService<SwitchboardDbContext>().ApiKeys
            .Where(k => k.Id == keyId).ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, DateTimeOffset.UtcNow)));

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => hub.InvokeAsync("JoinConversation", conversation));
        Assert.DoesNotContain("was not found", refused.Message);
        await hub.ClosedAsync(Soon);
    }

    [Theory, Providers]
    public async Task ARemovedOrDemotedMembersSessionConnection_IsClosed_AndAReconnectCarriesTheNewRole(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var (memberId, cookie) = await MemberSessionAsync(tenant, Role.Agent);
        var hub = await HubClient.ConnectWithCookieAsync(factory, cookie);
        try
        {
            await tenant.Owner.PatchJsonAsync($"/api/v1/users/{memberId}", new { role = "viewer" }, HttpStatusCode.OK);
            await hub.ClosedAsync(Soon);
        }
        finally
        {
            await hub.DisposeAsync();
        }

        await using var again = await HubClient.ConnectWithCookieAsync(factory, cookie);
        await again.InvokeAsync("LeaveConversation", 1);
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Owner.DeleteAsync($"/api/v1/users/{memberId}")).StatusCode);
        await again.ClosedAsync(Soon);
        await Assert.ThrowsAnyAsync<Exception>(() => HubClient.ConnectWithCookieAsync(factory, cookie));
    }

    [Theory, Providers]
    public async Task AKeyWhoseCreatorIsRemoved_LosesItsConnection(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var (memberId, console) = await SecurityKeysTests.SignedInMemberAsync(tenant, Role.Admin);
        var key = await SecurityKeysTests.CreateKeyAsync(factory, console, Role.Agent);
        await using var hub = await HubClient.ConnectAsync(factory, KeyOf(key.Client));

        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Owner.DeleteAsync($"/api/v1/users/{memberId}")).StatusCode);
        await hub.ClosedAsync(Soon);
    }

    [Fact]
    public async Task ThePeriodicCheck_ClosesConnectionsWhoseAccessEndedUnannounced()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var factory = new SwitchboardFactory(database, new Dictionary<string, string?> { ["Realtime:ConnectionRecheckInterval"] = "00:00:00.200" });
        var tenant = await factory.CreateTenantAsync();
        await using var hub = await HubClient.ConnectAsync(factory, KeyOf(tenant.Owner));

        await factory.InTenantAsync(tenant.Id, services => services.GetRequiredService<SwitchboardDbContext>().Tenants
            .Where(t => t.Id == tenant.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, TenantStatus.Suspended)));
        await hub.ClosedAsync(Soon);
    }
}
