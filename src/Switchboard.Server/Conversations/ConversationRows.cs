using Microsoft.EntityFrameworkCore;
using Switchboard.Platform.Database;

namespace Switchboard.Conversations;

/// <summary>Conversations read in order to change them. On PostgreSQL their rows are locked (<c>FOR UPDATE</c>, in id order,
/// so two writers cannot deadlock) before they are read, until the caller's transaction ends: agents replying, a customer's
/// message being filed, a status change and mark-read take turns, and each starts from what the one before wrote, so no count,
/// status or unread mark is lost. SQLite has one writer at a time.</summary>
public static class ConversationRows
{
    /// <summary>The conversation, tracked and locked; null when the tenant has none with this id.</summary>
    public static async Task<Conversation?> FindForChangeAsync(this SwitchboardDbContext db, long id, CancellationToken cancellationToken)
    {
        if (!db.IsSqlite)
            await db.Database.ExecuteSqlAsync(
                $"SELECT count(*) FROM (SELECT id FROM conversations WHERE id = {id} AND tenant_id = {db.CurrentTenantId} FOR UPDATE) AS locked",
                cancellationToken);
        return await db.Conversations.FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
    }

    /// <summary>The contacts' open threads (not archived) on these channels, tracked and locked.</summary>
    public static Task<List<Conversation>> CurrentForChangeAsync(this SwitchboardDbContext db, List<long> contactIds, List<long> channelIds,
        CancellationToken cancellationToken)
    {
        var current = db.IsSqlite
            ? db.Conversations
            : db.Conversations.FromSql($"""
                SELECT * FROM conversations WHERE contact_id = ANY({contactIds}) AND channel_id = ANY({channelIds})
                AND status <> {nameof(ConversationStatus.Archived)} ORDER BY id FOR UPDATE
                """);
        return current.Where(c => contactIds.Contains(c.ContactId) && channelIds.Contains(c.ChannelId) && c.Status != ConversationStatus.Archived)
            .ToListAsync(cancellationToken);
    }

    /// <summary>Sets every conversation's kept message count (all tenants) to the number of its stored messages, where the two
    /// disagree; how many were repaired. For the operator after an incident, or after upgrading from a release that could lose
    /// concurrent updates (<c>conversations recount</c>).</summary>
    public static Task<int> RecountAsync(SwitchboardDbContext db, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlRawAsync("""
            UPDATE conversations SET message_count = (SELECT count(*) FROM messages WHERE messages.conversation_id = conversations.id)
            WHERE message_count <> (SELECT count(*) FROM messages WHERE messages.conversation_id = conversations.id)
            """, cancellationToken);
}
