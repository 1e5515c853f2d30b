using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Switchboard.Platform.Database;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests;

/// <summary>Several nodes on one PostgreSQL database: an event raised on one node reaches clients connected to another,
/// through LISTEN/NOTIFY.</summary>
public sealed class RealtimeClusterTests
{
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

    internal static async Task WaitUntilListeningAsync(SwitchboardFactory node)
    {
        var listener = node.Services.GetServices<IHostedService>().Single(s => s.GetType().Name == "PostgresRealtimeListener");
        var listening = (Task)listener.GetType().GetProperty("Listening")!.GetValue(listener)!;
        await listening.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
