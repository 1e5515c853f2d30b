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

/// <summary>Files inbound messages into the inbox: finds or creates the contacts and the conversations, reopens resolved
/// ones, keeps the WhatsApp window, records opt-outs, queues media downloads, raises the inbox events, and never stores the
/// same provider message twice. A batch (many webhooks at once) costs a handful of queries in all, not a handful each.</summary>
public sealed class InboundMessages(SwitchboardDbContext db, ContactService contacts, InboxEvents events, ConversationViews views, JobQueue jobs, TimeProvider clock)
{
    public static readonly TimeSpan WhatsAppWindow = TimeSpan.FromHours(24);

    /// <summary>Carrier-standard keywords (CTIA): the whole message, case and surrounding spaces ignored.</summary>
    private static readonly HashSet<string> StopKeywords = new(["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT"], StringComparer.OrdinalIgnoreCase);
    private static readonly HashSet<string> StartKeywords = new(["START", "UNSTOP", "YES", "SUBSCRIBE"], StringComparer.OrdinalIgnoreCase);

    public Task RecordAsync(Channel channel, InboundMessage inbound, CancellationToken cancellationToken) =>
        RecordAsync([new ChannelMessage(channel, inbound)], cancellationToken);

    public sealed record ChannelMessage(Channel Channel, InboundMessage Message);

    /// <summary>Files <paramref name="batch"/> in order, in one unit of work.</summary>
    public async Task RecordAsync(IReadOnlyList<ChannelMessage> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
            return;
        batch = batch.Select(b => b with { Message = Storable(b.Message) }).ToList();
        await using var transaction = await UnitOfWork.BeginAsync(db, cancellationToken);
        if (!db.IsSqlite)
            await LockSendersAsync(batch, cancellationToken);
        var fresh = await NotStoredYetAsync(batch, cancellationToken);
        if (fresh.Count == 0)
            return;
        var senders = await FindContactsAsync(fresh, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);

        var now = clock.GetUtcNow();
        var conversations = await CurrentConversationsAsync(fresh, senders, cancellationToken);
        var touched = new List<ConversationViews.HeldConversation>();
        var createdHere = new HashSet<Conversation>(ReferenceEqualityComparer.Instance);
        var filed = new List<(Conversation Conversation, ChannelMessage Inbound)>();
        SlaPolicy? slaPolicy = null;
        var slaPolicyLoaded = false;
        for (var i = 0; i < fresh.Count; i++)
        {
            var (channel, inbound) = fresh[i];
            var contact = senders[i];
            var at = inbound.SentAt ?? now;
            // The newest thread: one created earlier in this batch (no id yet), else the highest id.
            var conversation = conversations.Where(c => c.ContactId == contact.Id && c.ChannelId == channel.Id
                    && (inbound.ThreadKey is null || c.PlatformConversationId == inbound.ThreadKey))
                .OrderBy(createdHere.Contains).ThenBy(c => c.Id).LastOrDefault();
            var isNewThread = conversation is null;
            if (conversation is null)
            {
                conversation = new Conversation
                {
                    ContactId = contact.Id, ChannelId = channel.Id, Platform = channel.Type, PlatformConversationId = inbound.ThreadKey, CreatedAt = now,
                    DepartmentId = channel.Departments.Count == 1 ? channel.Departments[0].DepartmentId : null,
                };
                if (!slaPolicyLoaded)
                    (slaPolicy, slaPolicyLoaded) = (await SlaRules.DefaultPolicyAsync(db, cancellationToken), true);
                SlaRules.Start(conversation, slaPolicy);
                db.Conversations.Add(conversation);
                conversations.Add(conversation);
                createdHere.Add(conversation);
            }
            else if (conversation.Status is ConversationStatus.Resolved or ConversationStatus.Snoozed)
            {
                conversation.Status = ConversationStatus.Open;
                conversation.ResolvedAt = null;
                conversation.SnoozedUntil = null;
            }
            // A message filed late (an older one delivered after a newer) does not take over the preview.
            if (conversation.LastMessageAt is null || at >= conversation.LastMessageAt)
                (conversation.LastMessageAt, conversation.LastMessagePreview) = (at, Preview(inbound.Type, inbound.Text));
            conversation.MessageCount++;
            conversation.UnreadCount++;
            var windowEnd = at + WhatsAppWindow;
            if (channel.Type is ChannelType.WhatsApp or ChannelType.TwilioWhatsApp && (conversation.WindowExpiresAt is null || windowEnd > conversation.WindowExpiresAt))
                conversation.WindowExpiresAt = windowEnd;
            conversation.UpdatedAt = now;
            ApplyConsent(channel.Type, contact, inbound, at);
            filed.Add((conversation, fresh[i]));
            if (isNewThread || !touched.Any(t => ReferenceEquals(t.Conversation, conversation)))
                touched.Add(new ConversationViews.HeldConversation(conversation, contact, channel, createdHere.Contains(conversation)));
        }
        await db.SaveChangesAsync(cancellationToken);

        var messages = filed.Select(f => NewMessage(f.Conversation, f.Inbound, now)).ToList();
        db.Messages.AddRange(messages);
        await db.SaveChangesAsync(cancellationToken);
        foreach (var attachment in messages.SelectMany(m => m.Attachments))
            jobs.Enqueue(MediaDownloadJob.JobType, new MediaDownloadJob.Payload(attachment.Id));
        // Built from what was just saved: this path runs for every inbound message, so it reads no more than it must. A
        // conversation that took several messages is announced once, as it now stands.
        foreach (var message in messages)
            await events.MessageCreatedAsync(ConversationViews.View(message, null), cancellationToken);
        var summaries = await views.SummariesAsync(touched, cancellationToken);
        for (var i = 0; i < touched.Count; i++)
            await events.ConversationUpdatedAsync(summaries[i], touched[i].IsNew, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>What becomes columns of the message, without NUL characters: JSON (<c>\u0000</c>) and form encodings
    /// (<c>%00</c>) can carry them, PostgreSQL text cannot hold them, and a message that cannot be stored would be retried until
    /// it is given up on. (The payload keeps them, escaped in its JSON.)</summary>
    private static InboundMessage Storable(InboundMessage m) => m with
    {
        ProviderMessageId = WithoutNul(m.ProviderMessageId)!, From = m.From with { Address = WithoutNul(m.From.Address)!, Name = WithoutNul(m.From.Name) },
        Text = WithoutNul(m.Text), ThreadKey = WithoutNul(m.ThreadKey),
        Attachments = m.Attachments?.Select(a => a with { PlatformUrl = WithoutNul(a.PlatformUrl)!, MimeType = WithoutNul(a.MimeType), Filename = WithoutNul(a.Filename) })
            .ToList(),
    };

    private static string? WithoutNul(string? text) => text is not null && text.Contains('\0') ? text.Replace("\0", "", StringComparison.Ordinal) : text;

    /// <summary>Messages run in parallel on PostgreSQL (nodes, processing loops, the web chat): one customer's messages are
    /// filed one transaction at a time, so two cannot both create the contact or the conversation. Locks are taken in one
    /// order by everyone, so batches never deadlock on them. (SQLite has a single writer already.)</summary>
    private async Task LockSendersAsync(IReadOnlyList<ChannelMessage> batch, CancellationToken cancellationToken)
    {
        var keys = batch.Select(b => $"{b.Channel.Id}:{b.Message.From.Address}").Distinct().ToArray();
        await db.Database.ExecuteSqlAsync($"""
            SELECT count(pg_advisory_xact_lock(h)) FROM (SELECT DISTINCT hashtextextended(k, 0) AS h FROM unnest({keys}) AS k ORDER BY h) AS locks
            """, cancellationToken);
    }

    /// <summary>The messages of <paramref name="batch"/> not stored already, each once (a provider can repeat one inside a
    /// batch as well as across deliveries).</summary>
    private async Task<List<ChannelMessage>> NotStoredYetAsync(IReadOnlyList<ChannelMessage> batch, CancellationToken cancellationToken)
    {
        var channelIds = batch.Select(b => b.Channel.Id).Distinct().ToList();
        var providerIds = batch.Select(b => b.Message.ProviderMessageId).Distinct().ToList();
        var stored = await db.Messages.Where(m => channelIds.Contains(m.ChannelId) && providerIds.Contains(m.ProviderMessageId!))
            .Select(m => new { m.ChannelId, m.ProviderMessageId }).ToListAsync(cancellationToken);
        var seen = stored.Select(m => (m.ChannelId, m.ProviderMessageId!)).ToHashSet();
        return batch.Where(b => seen.Add((b.Channel.Id, b.Message.ProviderMessageId))).ToList();
    }

    /// <summary>The contact of each message, in order: web-chat visitors are known already; the others are found or created
    /// by their address, one query per kind of address.</summary>
    private async Task<Contact[]> FindContactsAsync(List<ChannelMessage> fresh, CancellationToken cancellationToken)
    {
        var found = new Contact[fresh.Count];
        var knownIds = fresh.Select(f => f.Message.From.ContactId).OfType<long>().Distinct().ToList();
        var known = knownIds.Count == 0 ? [] : await db.Contacts.Where(c => knownIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, cancellationToken);
        var byKind = fresh.Select((f, i) => (f, i)).Where(x => x.f.Message.From.ContactId is null).GroupBy(x => KindOf(x.f.Channel.Type));
        foreach (var group in byKind)
        {
            var byAddress = await contacts.FindOrCreateSendersAsync(group.Key, group.Select(x => (x.f.Message.From.Address, x.f.Message.From.Name)).ToList(),
                cancellationToken);
            foreach (var (f, i) in group)
                found[i] = byAddress[f.Message.From.Address];
        }
        for (var i = 0; i < fresh.Count; i++)
        {
            if (fresh[i].Message.From.ContactId is { } id)
                found[i] = known[id];
        }
        return found;
    }

    private static SenderKind KindOf(ChannelType type) => type switch
    {
        ChannelType.WhatsApp or ChannelType.TwilioWhatsApp => SenderKind.WhatsApp,
        ChannelType.Email => SenderKind.Email,
        _ => SenderKind.Phone,
    };

    /// <summary>Every conversation the batch's messages could join: the senders' threads on these channels that are not
    /// archived. Email threads are told apart by their thread key (the first message's Message-ID), so a new subject starts
    /// a new conversation; on other channels a contact's newest thread is the current one.</summary>
    private async Task<List<Conversation>> CurrentConversationsAsync(List<ChannelMessage> fresh, Contact[] senders, CancellationToken cancellationToken)
    {
        var contactIds = senders.Select(c => c.Id).Distinct().ToList();
        var channelIds = fresh.Select(f => f.Channel.Id).Distinct().ToList();
        return await db.CurrentForChangeAsync(contactIds, channelIds, cancellationToken);
    }

    private static Message NewMessage(Conversation conversation, ChannelMessage filed, DateTimeOffset now)
    {
        var (channel, inbound) = filed;
        return new Message
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
            CreatedAt = inbound.SentAt ?? now,
            UpdatedAt = now,
            Attachments = (inbound.Attachments ?? []).Select(a => new MessageAttachment
            {
                Type = a.Type, PlatformUrl = a.PlatformUrl, MimeType = a.MimeType, Filename = a.Filename, CreatedAt = now,
            }).ToList(),
        };
    }

    /// <summary>What the conversation list shows for a message: its text, or the kind of content.</summary>
    public static string Preview(MessageType type, string? text) =>
        !string.IsNullOrWhiteSpace(text) ? (text.Length > 200 ? text[..200] : text) : $"[{type.ToString().ToLowerInvariant()}]";

    private void ApplyConsent(ChannelType type, Contact contact, InboundMessage inbound, DateTimeOffset at)
    {
        var keyword = inbound.Type == MessageType.Text ? inbound.Text?.Trim() : null;
        var optOut = inbound.OptOut ?? (keyword is null ? null : StopKeywords.Contains(keyword) ? true : StartKeywords.Contains(keyword) ? false : null);
        if (optOut is { } stop)
            contacts.SetConsent(contact, type, optedIn: !stop, source: inbound.OptOut is null ? $"keyword:{keyword!.ToUpperInvariant()}" : "provider", at);
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
