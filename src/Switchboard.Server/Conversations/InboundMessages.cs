using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Switchboard.Channels;
using Switchboard.Contacts;
using Switchboard.Platform.Database;
using Switchboard.Platform.Jobs;

namespace Switchboard.Conversations;

/// <summary>Who wrote: a WhatsApp id, an E.164 number, an email address, or a web-chat contact already known.</summary>
public sealed record InboundSender(string Address, string? Name, long? ContactId = null);

/// <summary>A file the provider holds for a message: a WhatsApp media id or a Twilio MediaUrl, fetched later by a job.</summary>
public sealed record InboundAttachment(MessageType Type, string PlatformUrl, string? MimeType, string? Filename);

/// <summary>A customer's message as a channel adapter parsed it. <see cref="OptOut"/> carries the provider's own consent
/// signal (Twilio's OptOutType); keywords in the text are checked here for every channel.</summary>
public sealed record InboundMessage(string ProviderMessageId, InboundSender From, MessageType Type, string? Text, JsonObject Payload,
    DateTimeOffset? SentAt, IReadOnlyList<InboundAttachment>? Attachments = null, bool? OptOut = null, JsonObject? Metadata = null,
    string? ThreadKey = null);

/// <summary>Files inbound messages into the inbox: finds or creates the contact and the conversation, reopens a resolved
/// one, keeps the WhatsApp window, records opt-outs, queues media downloads, raises the inbox events, and never stores the
/// same provider message twice.</summary>
public sealed class InboundMessages(SwitchboardDbContext db, ContactService contacts, InboxEvents events, ConversationViews views, JobQueue jobs, TimeProvider clock)
{
    public static readonly TimeSpan WhatsAppWindow = TimeSpan.FromHours(24);

    /// <summary>Carrier-standard keywords (CTIA): the whole message, case and surrounding spaces ignored.</summary>
    private static readonly HashSet<string> StopKeywords = new(["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT"], StringComparer.OrdinalIgnoreCase);
    private static readonly HashSet<string> StartKeywords = new(["START", "UNSTOP", "YES", "SUBSCRIBE"], StringComparer.OrdinalIgnoreCase);

    public async Task RecordAsync(Channel channel, InboundMessage inbound, CancellationToken cancellationToken)
    {
        await using var transaction = await UnitOfWork.BeginAsync(db, cancellationToken);
        // Jobs run in parallel on PostgreSQL: one customer's messages are filed one at a time, so two of them cannot both
        // create the contact or the conversation. (SQLite has a single writer already.)
        if (!db.IsSqlite)
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({channel.Id + ":" + inbound.From.Address}, 0))", cancellationToken);
        if (await db.Messages.AnyAsync(m => m.ChannelId == channel.Id && m.ProviderMessageId == inbound.ProviderMessageId, cancellationToken))
            return;
        var now = clock.GetUtcNow();
        var at = inbound.SentAt ?? now;
        var contact = await FindContactAsync(channel.Type, inbound.From, cancellationToken);
        var conversation = await FindConversationAsync(channel, contact.Id, inbound.ThreadKey, cancellationToken);
        var created = conversation is null;
        if (conversation is null)
        {
            conversation = new Conversation
            {
                ContactId = contact.Id, ChannelId = channel.Id, Platform = channel.Type, PlatformConversationId = inbound.ThreadKey, CreatedAt = now,
                DepartmentId = channel.Departments.Count == 1 ? channel.Departments[0].DepartmentId : null,
            };
            db.Conversations.Add(conversation);
        }
        else if (conversation.Status is ConversationStatus.Resolved or ConversationStatus.Snoozed)
        {
            conversation.Status = ConversationStatus.Open;
            conversation.ResolvedAt = null;
            conversation.SnoozedUntil = null;
        }
        conversation.LastMessageAt = conversation.LastMessageAt > at ? conversation.LastMessageAt : at;
        conversation.LastMessagePreview = Preview(inbound.Type, inbound.Text);
        conversation.MessageCount++;
        conversation.UnreadCount++;
        var windowEnd = at + WhatsAppWindow;
        if (channel.Type is ChannelType.WhatsApp or ChannelType.TwilioWhatsApp && (conversation.WindowExpiresAt is null || windowEnd > conversation.WindowExpiresAt))
            conversation.WindowExpiresAt = windowEnd;
        conversation.UpdatedAt = now;
        ApplyConsent(channel.Type, contact, inbound);
        await db.SaveChangesAsync(cancellationToken);

        var message = new Message
        {
            ConversationId = conversation.Id,
            ChannelId = channel.Id,
            ProviderMessageId = inbound.ProviderMessageId,
            Direction = MessageDirection.Inbound,
            Type = inbound.Type,
            Text = inbound.Text,
            Payload = inbound.Payload,
            Metadata = inbound.Metadata ?? [],
            SenderType = SenderType.Customer,
            Status = MessageStatus.Delivered,
            DeliveredAt = now,
            CreatedAt = at,
            UpdatedAt = now,
            Attachments = (inbound.Attachments ?? []).Select(a => new MessageAttachment
            {
                Type = a.Type, PlatformUrl = a.PlatformUrl, MimeType = a.MimeType, Filename = a.Filename, CreatedAt = now,
            }).ToList(),
        };
        db.Messages.Add(message);
        await db.SaveChangesAsync(cancellationToken);
        foreach (var attachment in message.Attachments)
            jobs.Enqueue(MediaDownloadJob.JobType, new MediaDownloadJob.Payload(attachment.Id));
        // Built from what was just saved: this path runs for every inbound message, so it reads no more than it must.
        await events.MessageCreatedAsync(ConversationViews.View(message, null), cancellationToken);
        await events.ConversationUpdatedAsync(await views.SummaryAsync(conversation, contact, channel, isNew: created, cancellationToken), created,
            cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>What the conversation list shows for a message: its text, or the kind of content.</summary>
    public static string Preview(MessageType type, string? text) =>
        !string.IsNullOrWhiteSpace(text) ? (text.Length > 200 ? text[..200] : text) : $"[{type.ToString().ToLowerInvariant()}]";

    private Task<Contact> FindContactAsync(ChannelType type, InboundSender from, CancellationToken cancellationToken) => from switch
    {
        { ContactId: { } id } => db.Contacts.FirstAsync(c => c.Id == id, cancellationToken),
        _ when type == ChannelType.WhatsApp => contacts.FindOrCreateByWhatsAppAsync(from.Address, from.Name, cancellationToken),
        _ when type == ChannelType.TwilioWhatsApp => contacts.FindOrCreateByWhatsAppAsync(from.Address.TrimStart('+'), from.Name, cancellationToken),
        _ when type == ChannelType.Email => contacts.FindOrCreateByEmailAsync(from.Address, from.Name, cancellationToken),
        _ => contacts.FindOrCreateByPhoneAsync(from.Address, from.Name, cancellationToken),
    };

    /// <summary>The contact's current thread on this channel; email threads are told apart by their thread key (the first
    /// message's Message-ID), so a new subject starts a new conversation.</summary>
    private Task<Conversation?> FindConversationAsync(Channel channel, long contactId, string? threadKey, CancellationToken cancellationToken)
    {
        var query = db.Conversations.Where(c => c.ContactId == contactId && c.ChannelId == channel.Id && c.Status != ConversationStatus.Archived);
        if (threadKey is not null)
            query = query.Where(c => c.PlatformConversationId == threadKey);
        return query.OrderByDescending(c => c.Id).FirstOrDefaultAsync(cancellationToken);
    }

    private void ApplyConsent(ChannelType type, Contact contact, InboundMessage inbound)
    {
        var keyword = inbound.Type == MessageType.Text ? inbound.Text?.Trim() : null;
        var optOut = inbound.OptOut ?? (keyword is null ? null : StopKeywords.Contains(keyword) ? true : StartKeywords.Contains(keyword) ? false : null);
        if (optOut is { } stop)
            contacts.SetConsent(contact, type, optedIn: !stop, source: inbound.OptOut is null ? $"keyword:{keyword!.ToUpperInvariant()}" : "provider");
    }
}

/// <summary>What other modules may change about conversations: when two contacts are merged, the survivor takes over the
/// other's conversations (instead of them being deleted with it).</summary>
public sealed class ConversationOwnership(SwitchboardDbContext db)
{
    public Task MoveAsync(long fromContactId, long toContactId, CancellationToken cancellationToken) =>
        db.Conversations.Where(c => c.ContactId == fromContactId)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.ContactId, toContactId), cancellationToken);
}
