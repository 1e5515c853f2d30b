using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Switchboard.Conversations;
using Switchboard.Platform.Database;
using Switchboard.Platform.Realtime;

namespace Switchboard.Channels.WebChat;

public sealed record VisitorAttachment(MessageType Type, string? MimeType, string? Filename, string? Url);

/// <summary>A message as the visitor sees it: theirs (<c>customer</c>) or an agent's, with the agent's name.</summary>
public sealed record VisitorMessage(long Id, SenderType SenderType, string? AgentName, MessageType Type, string? Text,
    IReadOnlyList<VisitorAttachment> Attachments, MessageStatus Status, DateTimeOffset CreatedAt);

public sealed record VisitorMessageStatus(long MessageId, MessageStatus Status);

public sealed record VisitorChatEnded(DateTimeOffset EndedAt);

/// <summary>The visitor's side of a conversation: what they may read, their receipts, and the events their widget hears
/// (through the real-time bus, so on whichever node holds the connection).</summary>
public sealed class VisitorThread(SwitchboardDbContext db, MessageStatuses statuses, ChannelWebhookUrls urls, TimeProvider clock, IOptions<JsonOptions> json)
{
    public const int Limit = 100;
    public const string MessageEvent = "message";
    public const string StatusEvent = "messageStatus";
    public const string EndedEvent = "chatEnded";

    /// <summary>The newest <see cref="Limit"/> messages the visitor may see, oldest first.</summary>
    public async Task<List<VisitorMessage>> RecentAsync(ChatSession session, CancellationToken cancellationToken)
    {
        var messages = await Visible(session.ConversationId).AsNoTracking().Include(m => m.Attachments)
            .OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id).Take(Limit).ToListAsync(cancellationToken);
        messages.Reverse();
        return await ViewsAsync(messages, cancellationToken);
    }

    public async Task<List<VisitorMessage>> ViewsAsync(IReadOnlyList<Message> messages, CancellationToken cancellationToken)
    {
        var agentIds = messages.Where(m => m.AgentId is not null).Select(m => m.AgentId!.Value).Distinct().ToList();
        var agents = await db.Users.Where(u => agentIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Name, cancellationToken);
        var fileIds = messages.SelectMany(m => m.Attachments).Where(a => a.MediaFileId is not null).Select(a => a.MediaFileId!.Value).ToList();
        var files = await db.MediaFiles.AsNoTracking().Where(f => fileIds.Contains(f.Id)).ToDictionaryAsync(f => f.Id, cancellationToken);
        return messages.Select(m => new VisitorMessage(m.Id, m.SenderType, m.AgentId is { } agent ? agents.GetValueOrDefault(agent) : null, m.Type, m.Text,
            m.Attachments.OrderBy(a => a.Id).Select(a => new VisitorAttachment(a.Type, a.MimeType, a.Filename,
                a.MediaFileId is { } file && files.TryGetValue(file, out var stored) ? urls.PublicMediaUrl(stored).ToString() : null)).ToList(),
            m.Status, m.CreatedAt)).ToList();
    }

    /// <summary>The visitor's widget got agents' messages (<paramref name="status"/> delivered) or showed them (read): one
    /// message, or every one sent so far. Runs the same monotonic rules as a provider's delivery report.</summary>
    public async Task AcknowledgeAsync(ChatSession session, MessageStatus status, long? messageId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var query = Visible(session.ConversationId).Where(m => m.SenderType == SenderType.Agent
            && (m.Status == MessageStatus.Sent || (status == MessageStatus.Read && m.Status == MessageStatus.Delivered)));
        if (messageId is { } id)
            query = query.Where(m => m.Id == id);
        var acknowledged = await query.Select(m => new { m.Id, m.ProviderMessageId }).ToListAsync(cancellationToken);
        var channel = acknowledged.Count == 0 ? null : await db.Channels.AsNoTracking().FirstAsync(c => c.Id == session.ChannelId, cancellationToken);

        await using var transaction = await UnitOfWork.BeginAsync(db, cancellationToken);
        await statuses.ApplyAsync(acknowledged.Select(m => new MessageStatuses.ChannelReport(channel!, new ProviderStatus(m.ProviderMessageId!, status, now)))
            .ToList(), cancellationToken);
        foreach (var message in acknowledged)
            Publish(session, StatusEvent, new VisitorMessageStatus(message.Id, status));
        if (status == MessageStatus.Read)
            session.UnreadCount = 0;
        session.LastSeenAt = now;
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Queues <paramref name="payload"/> for the session's widget, sent once the caller's unit of work commits.</summary>
    public void Publish(ChatSession session, string name, object payload) =>
        db.PublishAfterCommit(new RealtimeEvent(session.TenantId, name, JsonSerializer.SerializeToNode(payload, json.Value.SerializerOptions),
            RealtimeAudience.ChatSession, session.Id));

    /// <summary>The customer's messages and the agents' replies that reached the widget: never internal notes (kept apart
    /// from messages), system or bot messages, or replies still pending or failed.</summary>
    private IQueryable<Message> Visible(long conversationId) =>
        db.Messages.Where(m => m.ConversationId == conversationId && (m.SenderType == SenderType.Customer
            || (m.SenderType == SenderType.Agent && (m.Status == MessageStatus.Sent || m.Status == MessageStatus.Delivered || m.Status == MessageStatus.Read))));
}
