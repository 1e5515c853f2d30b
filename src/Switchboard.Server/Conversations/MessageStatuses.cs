using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Switchboard.Channels;
using Switchboard.Contacts;
using Switchboard.Platform.Database;

namespace Switchboard.Conversations;

/// <summary>A delivery report as a channel adapter parsed it. <see cref="OptOut"/> marks failures that mean the customer
/// no longer accepts messages on this channel (WhatsApp 131050, Twilio 21610). <see cref="MessageId"/> is our own id of the
/// message when the report carries it back (Twilio's per-message status callback): it finds a message whose provider id is
/// not recorded (the send's answer never came, or has not been saved yet).</summary>
public sealed record ProviderStatus(string ProviderMessageId, MessageStatus Status, DateTimeOffset At, string? ErrorCode = null,
    string? ErrorMessage = null, JsonObject? Metadata = null, bool OptOut = false, long? MessageId = null);

/// <summary>Applies delivery reports to outbound messages: monotonically (sent &lt; delivered &lt; read; failed is final
/// unless a later read proves delivery), safely out of order and repeated, each status kept once in the history.</summary>
public sealed class MessageStatuses(SwitchboardDbContext db, InboxEvents events, ContactService contacts, TimeProvider clock)
{
    public sealed record ChannelReport(Channel Channel, ProviderStatus Report);

    /// <summary>False when no message has this provider id (yet: a report can overtake the send that will record the id).</summary>
    public async Task<bool> ApplyAsync(Channel channel, ProviderStatus report, CancellationToken cancellationToken) =>
        (await ApplyAsync([new ChannelReport(channel, report)], cancellationToken))[0];

    /// <summary>Applies <paramref name="reports"/> in order, in one unit of work: their messages read and locked together,
    /// their history read once, one save. Whether each report's message was found, in order.</summary>
    public async Task<bool[]> ApplyAsync(IReadOnlyList<ChannelReport> reports, CancellationToken cancellationToken)
    {
        var found = new bool[reports.Count];
        if (reports.Count == 0)
            return found;
        await using var transaction = await UnitOfWork.BeginAsync(db, cancellationToken);
        var channelIds = reports.Select(r => r.Channel.Id).Distinct().ToList();
        var providerIds = reports.Select(r => r.Report.ProviderMessageId).Distinct().ToList();
        var ownIds = reports.Where(r => r.Report.MessageId is not null).Select(r => r.Report.MessageId!.Value).Distinct().ToList();
        var ids = await db.Messages.Where(m => channelIds.Contains(m.ChannelId)
                && (providerIds.Contains(m.ProviderMessageId!) || (ownIds.Contains(m.Id) && m.Direction == MessageDirection.Outbound)))
            .Select(m => m.Id).ToListAsync(cancellationToken);
        if (ids.Count == 0)
            return found;
        // Reports for one message may be applied at once on two nodes: lock the rows (in id order, so two batches cannot
        // deadlock) before reading them, so neither overwrites the other's status with an older one. SQLite has one writer.
        if (!db.IsSqlite)
            await db.Database.ExecuteSqlAsync($"SELECT count(*) FROM (SELECT id FROM messages WHERE id = ANY({ids.ToArray()}) ORDER BY id FOR UPDATE) AS locked",
                cancellationToken);
        var loaded = await db.Messages.Where(m => ids.Contains(m.Id)).ToListAsync(cancellationToken);
        var byProviderId = loaded.Where(m => m.ProviderMessageId is not null).ToDictionary(m => (m.ChannelId, m.ProviderMessageId!));
        var byId = loaded.ToDictionary(m => m.Id);
        var recorded = (await db.MessageStatusUpdates.Where(u => ids.Contains(u.MessageId)).Select(u => new { u.MessageId, u.Status, u.StatusAt })
            .ToListAsync(cancellationToken)).Select(u => (u.MessageId, u.Status, u.StatusAt)).ToHashSet();
        for (var i = 0; i < reports.Count; i++)
        {
            var (channel, report) = reports[i];
            if (!byProviderId.TryGetValue((channel.Id, report.ProviderMessageId), out var message)
                && !(report.MessageId is { } own && byId.TryGetValue(own, out message) && message.ChannelId == channel.Id
                    && message.ProviderMessageId is null))
                continue;
            // Found by our own id: the provider's id is known from here on.
            message.ProviderMessageId ??= report.ProviderMessageId;
            found[i] = true;
            if (!recorded.Add((message.Id, report.Status, report.At)))
                continue;
            await ApplyToAsync(message, report, cancellationToken);
            if (report.OptOut)
            {
                var contact = await db.Conversations.Where(c => c.Id == message.ConversationId)
                    .Join(db.Contacts, c => c.ContactId, c => c.Id, (_, contact) => contact).FirstAsync(cancellationToken);
                contacts.SetConsent(contact, channel.Type, optedIn: false, source: $"provider:{report.ErrorCode}");
            }
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return found;
    }

    /// <summary>Records <paramref name="report"/> on a tracked message in the caller's transaction: the history row, the
    /// message's timestamps and status, and the events. False when this very report was already recorded (nothing changes).</summary>
    public async Task<bool> RecordAsync(Message message, ProviderStatus report, CancellationToken cancellationToken)
    {
        if (await db.MessageStatusUpdates.AnyAsync(u => u.MessageId == message.Id && u.Status == report.Status && u.StatusAt == report.At, cancellationToken))
            return false;
        await ApplyToAsync(message, report, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>Adds the history row and moves the tracked message (saved by the caller); raises the status event when the
    /// message moved.</summary>
    private async Task ApplyToAsync(Message message, ProviderStatus report, CancellationToken cancellationToken)
    {
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
        if (message is { Status: MessageStatus.Failed, ErrorCode: Outbound.MessageSendJob.UnconfirmedCode } && report.Status != MessageStatus.Failed)
        {
            // The provider reports on it: the send that was not confirmed did go out.
            (message.Status, message.ErrorCode, message.ErrorMessage, message.FailedAt) = (MessageStatus.Pending, null, null, null);
        }
        var moved = Advances(message.Status, report.Status);
        if (moved)
            message.Status = report.Status;
        message.UpdatedAt = clock.GetUtcNow();
        if (moved)
            await events.MessageStatusAsync(message, report.At, cancellationToken);
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
