using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Switchboard.Channels;
using Switchboard.Contacts;
using Switchboard.Platform.Database;

namespace Switchboard.Conversations;

/// <summary>A customer's message as a channel adapter parsed it.</summary>
public sealed record InboundMessage(string ProviderMessageId, string From, string? ProfileName, MessageType Type, string? Text,
    JsonObject Payload, DateTimeOffset? SentAt);

/// <summary>Files inbound messages into the inbox: finds or creates the contact and the conversation, reopens a resolved
/// one, keeps the WhatsApp window, and never stores the same provider message twice.</summary>
public sealed class InboundMessages(SwitchboardDbContext db, ContactService contacts, TimeProvider clock)
{
    public static readonly TimeSpan WhatsAppWindow = TimeSpan.FromHours(24);

    public async Task RecordAsync(Channel channel, InboundMessage inbound, CancellationToken cancellationToken)
    {
        if (await db.Messages.AnyAsync(m => m.ChannelId == channel.Id && m.ProviderMessageId == inbound.ProviderMessageId, cancellationToken))
            return;
        var now = clock.GetUtcNow();
        var at = inbound.SentAt ?? now;
        var contact = await contacts.FindOrCreateByWhatsAppAsync(inbound.From, inbound.ProfileName, cancellationToken);
        var conversation = await db.Conversations
            .Where(c => c.ContactId == contact.Id && c.ChannelId == channel.Id && c.Status != ConversationStatus.Archived)
            .OrderByDescending(c => c.Id).FirstOrDefaultAsync(cancellationToken);
        if (conversation is null)
        {
            conversation = new Conversation { ContactId = contact.Id, ChannelId = channel.Id, Platform = channel.Type, CreatedAt = now };
            db.Conversations.Add(conversation);
        }
        else if (conversation.Status == ConversationStatus.Resolved)
        {
            conversation.Status = ConversationStatus.Open;
            conversation.ResolvedAt = null;
        }
        conversation.LastMessageAt = conversation.LastMessageAt > at ? conversation.LastMessageAt : at;
        conversation.MessageCount++;
        conversation.UnreadCount++;
        var windowEnd = at + WhatsAppWindow;
        if (channel.Type is ChannelType.WhatsApp or ChannelType.TwilioWhatsApp && (conversation.WindowExpiresAt is null || windowEnd > conversation.WindowExpiresAt))
            conversation.WindowExpiresAt = windowEnd;
        conversation.UpdatedAt = now;
        await db.SaveChangesAsync(cancellationToken);

        db.Messages.Add(new Message
        {
            ConversationId = conversation.Id,
            ChannelId = channel.Id,
            ProviderMessageId = inbound.ProviderMessageId,
            Direction = MessageDirection.Inbound,
            Type = inbound.Type,
            Text = inbound.Text,
            Payload = inbound.Payload,
            SenderType = SenderType.Customer,
            Status = MessageStatus.Delivered,
            DeliveredAt = now,
            CreatedAt = at,
            UpdatedAt = now,
        });
        await db.SaveChangesAsync(cancellationToken);
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
