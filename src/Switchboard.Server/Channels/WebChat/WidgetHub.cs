using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Switchboard.Conversations;
using Switchboard.Platform.Database;

namespace Switchboard.Channels.WebChat;

/// <summary>The widget's live connection (<c>/hubs/widget?access_token=&lt;visitor token&gt;</c>, WebSockets without
/// negotiation, so no CORS is involved). It joins its session's group and hears <see cref="VisitorThread.MessageEvent"/>,
/// <see cref="VisitorThread.StatusEvent"/> and <see cref="VisitorThread.EndedEvent"/>; it reports agents' messages it
/// received with <see cref="Delivered"/>.</summary>
[Authorize(Policy = VisitorAuthentication.Policy)]
public sealed class WidgetHub(SwitchboardDbContext db, TenantContext scope, VisitorThread thread) : Hub
{
    public const string Path = "/hubs/widget";

    public static string SessionGroup(long tenantId, long sessionId) => $"t:{tenantId}:s:{sessionId}";

    public override async Task OnConnectedAsync()
    {
        await Groups.AddToGroupAsync(Context.ConnectionId, SessionGroup(VisitorAuthentication.TenantId(Context.User!), VisitorAuthentication.SessionId(Context.User!)));
        await base.OnConnectedAsync();
    }

    public async Task Delivered(long messageId)
    {
        // Hub calls run outside the HTTP pipeline, so the tenant scope is entered here from the connection's claims.
        scope.Enter(VisitorAuthentication.TenantId(Context.User!));
        var sessionId = VisitorAuthentication.SessionId(Context.User!);
        var session = await db.ChatSessions.FirstOrDefaultAsync(s => s.Id == sessionId && s.Status == ChatSessionStatus.Active)
            ?? throw new HubException("The chat session has ended.");
        await thread.AcknowledgeAsync(session, MessageStatus.Delivered, messageId, Context.ConnectionAborted);
    }
}
