using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Conversations;
using Switchboard.Conversations.Outbound;
using Switchboard.Demo;
using Switchboard.Platform.Database;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests;

/// <summary>Demo mode on a real port: the demo tenant and its channel appear, simulated customers write in through the
/// in-process simulator's signed webhooks, and an agent's reply goes out and comes back read.</summary>
public sealed class DemoModeTests
{
    [Fact]
    public async Task DemoMode_ShowsLiveConversations_WithoutAProviderAccount()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var factory = new SwitchboardFactory(database, new Dictionary<string, string?>
        {
            ["Demo:Enabled"] = "true",
            // Demo mode reaches its own simulator with no operator exception for loopback.
            [SwitchboardFactory.OutboundExceptions] = null,
            ["Simulator:Customers:IntervalSeconds"] = "0.5",
            ["Simulator:Customers:ReplyDelaySeconds"] = "0.2",
        });
        factory.UseKestrel(0);
        factory.StartServer();

        var http = factory.CreateClient();
        Assert.False((await http.GetJsonAsync("/api/v1/setup"))["required"]!.GetValue<bool>());
        long tenantId = 0;
        for (var i = 0; i < 150 && tenantId == 0; i++)
        {
            await Task.Delay(100);
            tenantId = await Scoped(factory, null, db => db.Tenants.Where(t => t.Slug == DemoMode.TenantSlug).Select(t => t.Id).FirstOrDefaultAsync());
        }
        Assert.NotEqual(0, tenantId);
        long conversationId = 0;
        for (var i = 0; i < 150 && conversationId == 0; i++)
        {
            await Task.Delay(100);
            conversationId = await Scoped(factory, tenantId, db => db.Messages.Where(m => m.Direction == MessageDirection.Inbound).Select(m => m.ConversationId).FirstOrDefaultAsync());
        }
        Assert.NotEqual(0, conversationId);

        var messageId = await factory.InTenantAsync(tenantId, async services =>
        {
            var db = services.GetRequiredService<SwitchboardDbContext>();
            var conversation = await db.Conversations.SingleAsync(c => c.Id == conversationId);
            var (message, refusal) = await services.GetRequiredService<OutboundMessages>().SendAsync(conversation,
                new OutboundRequest(MessageType.Text, "Thanks for writing in!", null, null, null), null, CancellationToken.None);
            Assert.Null(refusal);
            return message!.Id;
        });
        var status = MessageStatus.Pending;
        for (var i = 0; i < 150 && status != MessageStatus.Read; i++)
        {
            await Task.Delay(100);
            status = await Scoped(factory, tenantId, db => db.Messages.Where(m => m.Id == messageId).Select(m => m.Status).SingleAsync());
        }
        Assert.Equal(MessageStatus.Read, status);
    }

    private static async Task<T> Scoped<T>(SwitchboardFactory factory, long? tenantId, Func<SwitchboardDbContext, Task<T>> query)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        if (tenantId is { } id)
            scope.ServiceProvider.GetRequiredService<TenantContext>().Enter(id);
        var db = scope.ServiceProvider.GetRequiredService<SwitchboardDbContext>();
        return await query(db);
    }
}
