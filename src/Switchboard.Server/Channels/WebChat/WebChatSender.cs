using Microsoft.EntityFrameworkCore;
using Switchboard.Conversations;
using Switchboard.Conversations.Outbound;
using Switchboard.Platform.Database;

namespace Switchboard.Channels.WebChat;

/// <summary>Web chat's provider is this server: an agent's reply is "sent" by publishing it to the visitor's widget.</summary>
internal sealed class WebChatSender(SwitchboardDbContext db, VisitorThread thread) : IChannelSender
{
    public bool Handles(ChannelType type) => type == ChannelType.Webchat;

    public async Task<SendOutcome> SendAsync(OutboundSend send, CancellationToken cancellationToken)
    {
        var session = await db.ChatSessions.FirstOrDefaultAsync(s => s.ConversationId == send.Conversation.Id && s.Status == ChatSessionStatus.Active,
            cancellationToken);
        if (session is null)
            return new SendOutcome.Permanent("no_session", "The visitor's chat has ended, so a reply cannot reach them.");
        // The send job records the message as sent, saving these changes with it; the event goes out once that commits,
        // so a read receipt the visitor sends back always finds the message sent.
        var view = (await thread.ViewsAsync([send.Message], cancellationToken))[0] with { Status = MessageStatus.Sent };
        session.UnreadCount++;
        session.AgentId = send.Message.AgentId;
        thread.Publish(session, VisitorThread.MessageEvent, view);
        return new SendOutcome.Accepted("wc_" + Guid.NewGuid().ToString("N"));
    }
}
