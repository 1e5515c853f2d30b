using Microsoft.EntityFrameworkCore;
using Switchboard.Channels;
using Switchboard.Channels.WebChat;
using Switchboard.Contacts;
using Switchboard.Platform.Database;

namespace Switchboard.Conversations;

public sealed record PersonRef(long Id, string Name);

public sealed record ContactRef(long Id, string? Name, string? Phone, string? Email);

public sealed record ChannelRef(long Id, string Name, ChannelType Type);

public sealed record TagRef(long Id, string Name, string Color);

/// <summary>A conversation's SLA; <c>PolicyId</c> is null once its policy was deleted (the due times stay).</summary>
public sealed record SlaView(long? PolicyId, DateTimeOffset? FirstResponseDueAt, DateTimeOffset? ResolutionDueAt, bool FirstResponseBreached, bool ResolutionBreached);

public sealed record ConversationSummary(
    long Id, ConversationStatus Status, ConversationPriority Priority, ContactRef Contact, ChannelRef Channel, PersonRef? AssignedTo,
    long? DepartmentId, DateTimeOffset? LastMessageAt, string? LastMessagePreview, int UnreadCount, int MessageCount, IReadOnlyList<TagRef> Tags,
    DateTimeOffset? WindowExpiresAt, DateTimeOffset? SnoozedUntil, DateTimeOffset? FirstResponseAt, DateTimeOffset? ResolvedAt, DateTimeOffset CreatedAt,
    SlaView? Sla, DateTimeOffset? ChatEndedAt);

public sealed record AttachmentView(long Id, MessageType Type, string? MimeType, string? Filename, long? FileSize, string? Url);

public sealed record TemplateView(string Name, string Language, IReadOnlyList<string> Parameters);

public sealed record MessageView(
    long Id, long ConversationId, MessageDirection Direction, MessageType Type, string? Text, bool IsTemplate, TemplateView? Template,
    SenderType SenderType, PersonRef? Agent, MessageStatus Status, DateTimeOffset? SentAt, DateTimeOffset? DeliveredAt, DateTimeOffset? ReadAt,
    DateTimeOffset? FailedAt, string? ErrorCode, string? ErrorMessage, IReadOnlyList<AttachmentView> Attachments, DateTimeOffset CreatedAt);

/// <summary>Reads conversations and messages in the shapes the API, the hub and outbound webhooks share (docs/inbox-api.md).</summary>
public sealed class ConversationViews(SwitchboardDbContext db)
{
    /// <summary>Summaries for the given conversations, in the order given; two queries whatever the count.</summary>
    public async Task<List<ConversationSummary>> SummariesAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
            return [];
        var rows = await (
            from c in db.Conversations.AsNoTracking()
            where ids.Contains(c.Id)
            join contact in db.Contacts on c.ContactId equals contact.Id
            join channel in db.Channels on c.ChannelId equals channel.Id
            join user in db.Users on c.AssignedToId equals user.Id into assigned
            from user in assigned.DefaultIfEmpty()
            select new { c, Contact = new ContactRef(contact.Id, contact.Name, contact.Phone, contact.Email),
                Channel = new ChannelRef(channel.Id, channel.Name, channel.Type), AssigneeName = user == null ? null : user.Name,
                // Only web chats have sessions: other rows of the list skip the lookup.
                ChatEndedAt = c.Platform == ChannelType.Webchat
                    ? db.ChatSessions.Where(s => s.ConversationId == c.Id && s.EndedAt != null).Select(s => s.EndedAt).FirstOrDefault()
                    : null })
            .ToListAsync(cancellationToken);
        var tagsBy = await TagsOfAsync(ids, cancellationToken);
        var byId = rows.ToDictionary(r => r.c.Id, r => Summary(r.c, r.Contact, r.Channel, r.AssigneeName, tagsBy[r.c.Id].ToList(), r.ChatEndedAt));
        return ids.Where(byId.ContainsKey).Select(id => byId[id]).ToList();
    }

    /// <summary>A conversation whose parts the caller holds, saved; <c>IsNew</c> when it was created just now.</summary>
    public sealed record HeldConversation(Conversation Conversation, Contact Contact, Channel Channel, bool IsNew);

    /// <summary>Summaries of conversations whose parts the caller holds, in the order given: only tags (none yet on new
    /// conversations) and assignees' names are read, one query each for all of them. The callers file customers'
    /// messages, which an ended web chat no longer takes, so none of these has an ended chat.</summary>
    public async Task<List<ConversationSummary>> SummariesAsync(IReadOnlyList<HeldConversation> held, CancellationToken cancellationToken)
    {
        var tagsBy = await TagsOfAsync(held.Where(h => !h.IsNew).Select(h => h.Conversation.Id).ToList(), cancellationToken);
        var assigneeIds = held.Select(h => h.Conversation.AssignedToId).OfType<long>().Distinct().ToList();
        var assignees = assigneeIds.Count == 0 ? [] : await db.Users.Where(u => assigneeIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Name, cancellationToken);
        return held.Select(h => Summary(h.Conversation, new ContactRef(h.Contact.Id, h.Contact.Name, h.Contact.Phone, h.Contact.Email),
            new ChannelRef(h.Channel.Id, h.Channel.Name, h.Channel.Type), h.Conversation.AssignedToId is { } id ? assignees.GetValueOrDefault(id) : null,
            tagsBy[h.Conversation.Id].ToList(), null)).ToList();
    }

    /// <summary>The tags of each conversation, by name.</summary>
    private async Task<ILookup<long, TagRef>> TagsOfAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken)
    {
        var tags = ids.Count == 0 ? [] : await (
            from link in db.ConversationTagLinks
            where ids.Contains(link.ConversationId)
            join tag in db.ConversationTags on link.TagId equals tag.Id
            orderby tag.Name
            select new { link.ConversationId, Tag = new TagRef(tag.Id, tag.Name, tag.Color) }).ToListAsync(cancellationToken);
        return tags.ToLookup(t => t.ConversationId, t => t.Tag);
    }

    private static ConversationSummary Summary(Conversation c, ContactRef contact, ChannelRef channel, string? assigneeName, IReadOnlyList<TagRef> tags,
        DateTimeOffset? chatEndedAt) =>
        new(c.Id, c.Status, c.Priority, contact, channel, c.AssignedToId is { } assignee ? new PersonRef(assignee, assigneeName ?? "") : null, c.DepartmentId,
            c.LastMessageAt, c.LastMessagePreview, c.UnreadCount, c.MessageCount, tags, c.WindowExpiresAt, c.SnoozedUntil, c.FirstResponseAt, c.ResolvedAt,
            c.CreatedAt, c.SlaFirstResponseDueAt is null ? null
                : new SlaView(c.SlaPolicyId, c.SlaFirstResponseDueAt, c.SlaResolutionDueAt, c.SlaFirstResponseBreached, c.SlaResolutionBreached),
            chatEndedAt);

    public async Task<ConversationSummary?> SummaryAsync(long id, CancellationToken cancellationToken) =>
        (await SummariesAsync([id], cancellationToken)).SingleOrDefault();

    public async Task<List<MessageView>> MessagesAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
            return [];
        var messages = await db.Messages.AsNoTracking().Include(m => m.Attachments).Where(m => ids.Contains(m.Id)).ToListAsync(cancellationToken);
        var agentIds = messages.Where(m => m.AgentId is not null).Select(m => m.AgentId!.Value).Distinct().ToList();
        var agents = await db.Users.Where(u => agentIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Name, cancellationToken);
        var byId = messages.ToDictionary(m => m.Id, m => View(m, m.AgentId is { } agent ? new PersonRef(agent, agents.GetValueOrDefault(agent, "")) : null));
        return ids.Where(byId.ContainsKey).Select(id => byId[id]).ToList();
    }

    public async Task<MessageView?> MessageAsync(long id, CancellationToken cancellationToken) =>
        (await MessagesAsync([id], cancellationToken)).SingleOrDefault();

    /// <summary>The view of a message the caller holds with its attachments loaded.</summary>
    public static MessageView View(Message m, PersonRef? agent) => new(
        m.Id, m.ConversationId, m.Direction, m.Type, m.Text, m.IsTemplate, m.IsTemplate ? Outbound.OutboundTemplate.Describe(m.Payload) : null,
        m.SenderType, agent, m.Status, m.SentAt, m.DeliveredAt, m.ReadAt, m.FailedAt, m.ErrorCode, m.ErrorMessage,
        m.Attachments.OrderBy(a => a.Id)
            .Select(a => new AttachmentView(a.Id, a.Type, a.MimeType, a.Filename, a.FileSize, a.MediaFileId is null ? null : $"/api/v1/attachments/{a.Id}"))
            .ToList(),
        m.CreatedAt);
}
