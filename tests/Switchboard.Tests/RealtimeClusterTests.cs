using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Switchboard.Platform.Database;
using Switchboard.Tenancy;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests;

/// <summary>Several nodes on one PostgreSQL database: an event raised on one node reaches clients connected to another,
/// through LISTEN/NOTIFY.</summary>
public sealed class RealtimeClusterTests
{
    [Fact]
    public async Task TheListener_BehindAConnectionThatGoesSilent_ConnectsAgain_AndTellsClientsToResync()
    {
        // A failover that sends no FIN or RST leaves the LISTEN connection waiting for ever while notifications go elsewhere.
        // The heartbeat notices, the listener connects again, and this node's clients are told they may have missed events.
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        var direct = new Npgsql.NpgsqlConnectionStringBuilder(database.ConnectionString);
        await using var proxy = new SilenceableProxy(new IPEndPoint(IPAddress.Parse(direct.Host!), direct.Port));
        var viaProxy = new Npgsql.NpgsqlConnectionStringBuilder(database.ConnectionString) { Host = "127.0.0.1", Port = proxy.Port, Pooling = false };
        await using var listenerSource = Npgsql.NpgsqlDataSource.Create(viaProxy.ConnectionString);
        await using var publisherSource = Npgsql.NpgsqlDataSource.Create(database.ConnectionString);
        var heard = new Platform.Realtime.PostgresRealtimeBus(listenerSource);
        var options = new Platform.Realtime.RealtimeOptions { ListenerHeartbeat = TimeSpan.FromSeconds(1), ListenerHeartbeatTimeout = TimeSpan.FromSeconds(1) };
        using var listener = new Platform.Realtime.PostgresRealtimeListener(listenerSource, heard,
            options, Microsoft.Extensions.Logging.Abstractions.NullLogger<Platform.Realtime.PostgresRealtimeListener>.Instance);
        await listener.StartAsync(CancellationToken.None);
        await listener.Listening;
        var publisher = new Platform.Realtime.PostgresRealtimeBus(publisherSource);
        async Task<Platform.Realtime.RealtimeEvent> NextAsync()
        {
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            return await heard.Received.ReadAsync(patience.Token);
        }
        Platform.Realtime.RealtimeEvent Event(string name) => new(1, name, null, Platform.Realtime.RealtimeAudience.Tenant);

        await publisher.PublishAsync([Event("before")], CancellationToken.None);
        Assert.Equal("before", (await NextAsync()).Name);

        proxy.Silence();
        await publisher.PublishAsync([Event("while silent")], CancellationToken.None);
        var resync = await NextAsync();
        Assert.Equal(Platform.Realtime.RealtimeEvent.Resync, resync);
        await publisher.PublishAsync([Event("after")], CancellationToken.None);
        Assert.Equal("after", (await NextAsync()).Name);
        await listener.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task AClientOnOneNode_HearsAnEventRaisedOnAnother()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        // Node A has no job worker, so whatever happens to the webhook happens on node B.
        await using var nodeA = new SwitchboardFactory(database, new Dictionary<string, string?> { ["Jobs:Enabled"] = "false" });
        await using var nodeB = new SwitchboardFactory(database);
        _ = nodeA.Server;
        _ = nodeB.Server;
        await WaitUntilListeningAsync(nodeA);
        await WaitUntilListeningAsync(nodeB);

        var tenant = await nodeB.CreateTenantAsync();
        var channel = await tenant.Owner.PostJsonAsync("/api/v1/channels", ChannelsTests.WhatsApp(apiBaseUrl: MessagingTests.Nowhere), HttpStatusCode.Created);
        await using var agentOnA = await HubClient.ConnectAsync(nodeA, tenant.Owner.DefaultRequestHeaders.Authorization!.Parameter!);

        var conversation = await MessagingTests.CustomerWritesAsync(tenant, channel.Id(), "15550000801", "Radia", "Hello from node B");
        var update = await agentOnA.NextAsync("conversationUpdated", TimeSpan.FromSeconds(10));
        Assert.Equal(conversation, update!["id"]!.GetValue<long>());
        Assert.Equal("Hello from node B", update["lastMessagePreview"]!.GetValue<string>());
    }

    [Fact]
    public async Task AccessEndedOnOneNode_ClosesTheConnectionsItEndedOnAnother()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        await using var nodeA = new SwitchboardFactory(database);
        await using var nodeB = new SwitchboardFactory(database);
        _ = nodeA.Server;
        _ = nodeB.Server;
        await WaitUntilListeningAsync(nodeA);
        await WaitUntilListeningAsync(nodeB);
        var soon = TimeSpan.FromSeconds(10);

        var home = await nodeB.CreateTenantAsync();
        var tenant = await nodeB.CreateTenantAsync();
        var (memberId, console) = await SecurityKeysTests.SignedInMemberAsync(tenant, Role.Admin);
        var membersKey = await SecurityKeysTests.CreateKeyAsync(nodeB, console, Role.Agent);
        var revokedKey = await SecurityKeysTests.CreateKeyAsync(nodeB, tenant.Owner, Role.Agent);
        await using var revokedOnA = await HubClient.ConnectAsync(nodeA, SecurityLiveConnectionsTests.KeyOf(revokedKey.Client));
        await using var membersOnA = await HubClient.ConnectAsync(nodeA, SecurityLiveConnectionsTests.KeyOf(membersKey.Client));
        await using var ownerOnA = await HubClient.ConnectAsync(nodeA, SecurityLiveConnectionsTests.KeyOf(tenant.Owner));
        await using var otherTenantOnA = await HubClient.ConnectAsync(nodeA, SecurityLiveConnectionsTests.KeyOf(home.Owner));

        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Owner.DeleteAsync($"/api/v1/api-keys/{revokedKey.Id}")).StatusCode);
        await revokedOnA.ClosedAsync(soon);
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Owner.DeleteAsync($"/api/v1/users/{memberId}")).StatusCode);
        await membersOnA.ClosedAsync(soon);
        await ownerOnA.InvokeAsync("LeaveConversation", 1);

        // The operator suspends the tenant on node B.
        await nodeB.InTenantAsync(home.Id, services => services.GetRequiredService<SwitchboardDbContext>().Users
            .Where(u => u.Id == home.OwnerId).ExecuteUpdateAsync(s => s.SetProperty(u => u.IsSuperAdmin, true)));
        var operatorConsole = nodeB.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true });
        await (await operatorConsole.PostAsJsonAsync("/api/v1/auth/sign-in", new { email = home.OwnerEmail, password = TenantHandle.OwnerPassword })).JsonAsync(HttpStatusCode.OK);
        operatorConsole.DefaultRequestHeaders.Add("X-CSRF-TOKEN", (await operatorConsole.GetJsonAsync("/api/v1/auth/csrf"))["token"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NoContent, (await operatorConsole.PostAsync($"/api/v1/platform/tenants/{tenant.Id}/suspend", null)).StatusCode);
        await ownerOnA.ClosedAsync(soon);
        await otherTenantOnA.InvokeAsync("LeaveConversation", 1);
    }

    internal static async Task WaitUntilListeningAsync(SwitchboardFactory node)
    {
        var listener = node.Services.GetServices<IHostedService>().Single(s => s.GetType().Name == "PostgresRealtimeListener");
        var listening = (Task)listener.GetType().GetProperty("Listening")!.GetValue(listener)!;
        await listening.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
