using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Switchboard.Channels;
using Switchboard.Contacts;
using Switchboard.Platform.Database;

namespace Switchboard.Conversations;

/// <summary>A delivery report as a channel adapter parsed it. <see cref="OptOut"/> marks failures that mean the customer
/// no longer accepts messages on this channel (WhatsApp 131050, Twilio 21610).</summary>
public sealed record ProviderStatus(string ProviderMessageId, MessageStatus Status, DateTimeOffset At, string? ErrorCode = null,
    string? ErrorMessage = null, JsonObject? Metadata = null, bool OptOut = false);

/// <summary>Applies delivery reports to outbound messages: monotonically (sent &lt; delivered &lt; read; failed is final
/// unless a later read proves delivery), safely out of order and repeated, each status kept once in the history.</summary>
public sealed class MessageStatuses(SwitchboardDbContext db, InboxEvents events, ContactService contacts, TimeProvider clock)
{
    /// <summary>False when no message has this provider id (yet: a report can overtake the send that will record the id).</summary>
    public async Task<bool> ApplyAsync(Channel channel, ProviderStatus report, CancellationToken cancellationToken)
    {
        var message = await db.Messages.FirstOrDefaultAsync(m => m.ChannelId == channel.Id && m.ProviderMessageId == report.ProviderMessageId, cancellationToken);
        if (message is null)
            return false;
        await using var transaction = await UnitOfWork.BeginAsync(db, cancellationToken);
        // Two reports for one message may be applied at once on two nodes: lock the row so neither overwrites the other's
        // status with an older one (SQLite has one writer at a time already).
        if (!db.IsSqlite)
        {
            await db.Database.ExecuteSqlAsync($"SELECT 1 FROM messages WHERE id = {message.Id} FOR UPDATE", cancellationToken);
            await db.Entry(message).ReloadAsync(cancellationToken);
        }
        if (!await RecordAsync(message, report, cancellationToken))
            return true;
        if (report.OptOut)
        {
            var contact = await db.Conversations.Where(c => c.Id == message.ConversationId)
                .Join(db.Contacts, c => c.ContactId, c => c.Id, (_, contact) => contact).FirstAsync(cancellationToken);
            contacts.SetConsent(contact, channel.Type, optedIn: false, source: $"provider:{report.ErrorCode}");
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Records <paramref name="report"/> on a tracked message in the caller's transaction: the history row, the
    /// message's timestamps and status, and the events. False when this very report was already recorded (nothing changes).</summary>
    public async Task<bool> RecordAsync(Message message, ProviderStatus report, CancellationToken cancellationToken)
    {
        if (await db.MessageStatusUpdates.AnyAsync(u => u.MessageId == message.Id && u.Status == report.Status && u.StatusAt == report.At, cancellationToken))
            return false;
        db.MessageStatusUpdates.Add(new MessageStatusUpdate
        {
            MessageId = message.Id, Status = report.Status, StatusAt = report.At, ErrorCode = report.ErrorCode, ErrorMessage = report.ErrorMessage,
            Metadata = report.Metadata ?? [], CreatedAt = clock.GetUtcNow(),
        });
        switch (report.Status)
        {
            case MessageStatus.Sent:
                message.SentAt ??= report.At;
                break;
            case MessageStatus.Delivered:
                message.DeliveredAt ??= report.At;
                break;
            case MessageStatus.Read:
                message.ReadAt ??= report.At;
                break;
            case MessageStatus.Failed:
                message.FailedAt ??= report.At;
                message.ErrorCode = report.ErrorCode;
                message.ErrorMessage = report.ErrorMessage;
                break;
        }
        var moved = Advances(message.Status, report.Status);
        if (moved)
            message.Status = report.Status;
        message.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        if (moved)
            await events.MessageStatusAsync(message, report.At, cancellationToken);
        return true;
    }

    /// <summary>Whether a message in <paramref name="current"/> moves to <paramref name="next"/>: only forwards; failure ends
    /// everything but a read (which proves the message arrived); nothing overrides a read.</summary>
    public static bool Advances(MessageStatus current, MessageStatus next) => (current, next) switch
    {
        (MessageStatus.Read, _) => false,
        (MessageStatus.Failed, MessageStatus.Read) => true,
        (MessageStatus.Failed, _) => false,
        (_, MessageStatus.Failed) => true,
        _ => Rank(next) > Rank(current),
    };

    private static int Rank(MessageStatus status) => status switch
    {
        MessageStatus.Pending => 0,
        MessageStatus.Sent => 1,
        MessageStatus.Delivered => 2,
        MessageStatus.Read => 3,
        _ => -1,
    };
}
