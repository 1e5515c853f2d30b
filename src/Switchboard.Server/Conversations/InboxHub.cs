using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Switchboard.Channels.WebChat;
using Switchboard.Identity;
using Switchboard.Platform.Database;
using Switchboard.Platform.Realtime;

namespace Switchboard.Conversations;

/// <summary>The inbox's live connection (<c>/hubs/inbox</c>, docs/inbox-api.md). A connection joins its tenant's group and, for a
/// signed-in user, its own agent group; it may watch single conversations of its tenant.</summary>
[Authorize]
public sealed class InboxHub(SwitchboardDbContext db, TenantContext scope) : Hub
{
    public const string Path = "/hubs/inbox";

    public static string TenantGroup(long tenantId) => $"t:{tenantId}";
    public static string AgentGroup(long tenantId, long userId) => $"t:{tenantId}:u:{userId}";
    public static string ConversationGroup(long tenantId, long conversationId) => $"t:{tenantId}:c:{conversationId}";

    private long TenantId => Context.User?.GetLong(SwitchboardClaims.TenantId) ?? throw new HubException("No tenant.");

    public override async Task OnConnectedAsync()
    {
        await Groups.AddToGroupAsync(Context.ConnectionId, TenantGroup(TenantId));
        if (Context.User?.GetLong(SwitchboardClaims.UserId) is { } userId)
            await Groups.AddToGroupAsync(Context.ConnectionId, AgentGroup(TenantId, userId));
        await base.OnConnectedAsync();
    }

    public async Task JoinConversation(long conversationId)
    {
        // Hub calls run outside the HTTP pipeline, so the tenant scope is entered here from the connection's claims.
        scope.Enter(TenantId);
        if (!await db.Conversations.AnyAsync(c => c.Id == conversationId))
            throw new HubException(string.Create(CultureInfo.InvariantCulture, $"Conversation {conversationId} was not found."));
        await Groups.AddToGroupAsync(Context.ConnectionId, ConversationGroup(TenantId, conversationId));
    }

    public Task LeaveConversation(long conversationId) =>
        Groups.RemoveFromGroupAsync(Context.ConnectionId, ConversationGroup(TenantId, conversationId));
}

/// <summary>Hands every real-time event this node receives (from any node) to the hubs' groups on this node: the inbox's,
/// and the web-chat widget's for a visitor's events; an access change goes to <see cref="LiveConnections"/>.</summary>
internal sealed class InboxHubRelay(IRealtimeBus bus, IHubContext<InboxHub> hub, IHubContext<WidgetHub> widget, LiveConnections connections,
    ILogger<InboxHubRelay> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var e in bus.Received.ReadAllAsync(stoppingToken))
            {
                if (e.Audience == RealtimeAudience.Access)
                {
                    connections.Recheck(e.TenantId);
                    continue;
                }
                if (e.Audience == RealtimeAudience.Node)
                {
                    await hub.Clients.All.SendAsync(e.Name, stoppingToken);
                    await widget.Clients.All.SendAsync(e.Name, stoppingToken);
                    continue;
                }
                try
                {
                    var clients = e.Audience switch
                    {
                        RealtimeAudience.Agent => hub.Clients.Group(InboxHub.AgentGroup(e.TenantId, e.TargetId)),
                        RealtimeAudience.Conversation => hub.Clients.Group(InboxHub.ConversationGroup(e.TenantId, e.TargetId)),
                        RealtimeAudience.ChatSession => widget.Clients.Group(WidgetHub.SessionGroup(e.TenantId, e.TargetId)),
                        _ => hub.Clients.Group(InboxHub.TenantGroup(e.TenantId)),
                    };
                    await clients.SendAsync(e.Name, e.Payload, stoppingToken);
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    logger.LogWarning(error, "Could not relay real-time event {Name}", e.Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
