using Microsoft.EntityFrameworkCore;
using Switchboard.Identity;
using Switchboard.Platform.Database;
using Switchboard.Tenancy;

namespace Switchboard.Conversations;

public sealed record AssignmentView(long Id, PersonRef? AssignedTo, PersonRef? AssignedBy, AssignmentType AssignmentType, DateTimeOffset AssignedAt,
    DateTimeOffset? UnassignedAt);

public sealed record TransferView(long Id, PersonRef? FromUser, PersonRef? ToUser, long? ToDepartmentId, PersonRef? TransferredBy, string? Reason,
    DateTimeOffset TransferredAt);

/// <summary>Who has a conversation: assigning and transferring it, with the history of both, and the events that tell the
/// new assignee and the tenant.</summary>
public sealed class ConversationAssignments(SwitchboardDbContext db, TenantContext scope, InboxEvents events, TimeProvider clock)
{
    /// <summary>Agents take unassigned conversations and pass on their own; someone else's needs conversations.manage.</summary>
    public bool MayReassign(Conversation conversation) =>
        conversation.AssignedToId is null || (scope.UserId is { } me && conversation.AssignedToId == me) || scope.MayManage();

    /// <summary>The user if they may be given conversations here (an active member, not disabled); null otherwise.</summary>
    public Task<PersonRef?> ActiveMemberAsync(long userId, CancellationToken cancellationToken) =>
        db.Memberships.Where(m => m.UserId == userId && m.Status == MembershipStatus.Active && m.User!.Status == UserStatus.Active)
            .Select(m => (PersonRef?)new PersonRef(m.UserId, m.User!.Name)).FirstOrDefaultAsync(cancellationToken);

    /// <summary>Gives the tracked conversation to <paramref name="to"/> (null: nobody).</summary>
    public async Task AssignAsync(Conversation conversation, PersonRef? to, CancellationToken cancellationToken)
    {
        await ChangeAssigneeAsync(conversation, to, AssignmentType.Manual, cancellationToken);
        await events.ConversationUpdatedAsync(conversation.Id, created: false, cancellationToken);
    }

    /// <summary>Moves the tracked conversation to another person, department or both, recording where it came from.</summary>
    public async Task TransferAsync(Conversation conversation, PersonRef? toUser, long? toDepartmentId, string? reason, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        db.ConversationTransfers.Add(new ConversationTransfer
        {
            ConversationId = conversation.Id, FromUserId = conversation.AssignedToId, ToUserId = toUser?.Id, FromDepartmentId = conversation.DepartmentId,
            ToDepartmentId = toDepartmentId, TransferredById = scope.UserId, Reason = reason, TransferredAt = now,
        });
        if (toDepartmentId is { } department)
            conversation.DepartmentId = department;
        conversation.UpdatedAt = now;
        if (toUser is not null)
            await ChangeAssigneeAsync(conversation, toUser, AssignmentType.Transfer, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await events.ConversationUpdatedAsync(conversation.Id, created: false, cancellationToken);
    }

    /// <summary>Newest first.</summary>
    public async Task<List<AssignmentView>> AssignmentsAsync(long conversationId, CancellationToken cancellationToken)
    {
        var rows = await db.ConversationAssignments.AsNoTracking().Where(a => a.ConversationId == conversationId)
            .OrderByDescending(a => a.AssignedAt).ThenByDescending(a => a.Id).ToListAsync(cancellationToken);
        var names = await NamesAsync(rows.SelectMany(a => new[] { a.AssignedToId, a.AssignedById }), cancellationToken);
        return rows.Select(a => new AssignmentView(a.Id, Person(a.AssignedToId, names), Person(a.AssignedById, names), a.AssignmentType, a.AssignedAt,
            a.UnassignedAt)).ToList();
    }

    /// <summary>Newest first.</summary>
    public async Task<List<TransferView>> TransfersAsync(long conversationId, CancellationToken cancellationToken)
    {
        var rows = await db.ConversationTransfers.AsNoTracking().Where(t => t.ConversationId == conversationId)
            .OrderByDescending(t => t.TransferredAt).ThenByDescending(t => t.Id).ToListAsync(cancellationToken);
        var names = await NamesAsync(rows.SelectMany(t => new[] { t.FromUserId, t.ToUserId, t.TransferredById }), cancellationToken);
        return rows.Select(t => new TransferView(t.Id, Person(t.FromUserId, names), Person(t.ToUserId, names), t.ToDepartmentId,
            Person(t.TransferredById, names), t.Reason, t.TransferredAt)).ToList();
    }

    /// <summary>Closes the open stretch of ownership and opens the next (a null assignee records an unassignment), then
    /// tells the new assignee. Nothing happens when the conversation already is theirs.</summary>
    private async Task ChangeAssigneeAsync(Conversation conversation, PersonRef? to, AssignmentType type, CancellationToken cancellationToken)
    {
        if (conversation.AssignedToId == to?.Id)
            return;
        var now = clock.GetUtcNow();
        foreach (var open in await db.ConversationAssignments.Where(a => a.ConversationId == conversation.Id && a.UnassignedAt == null).ToListAsync(cancellationToken))
            open.UnassignedAt = now;
        db.ConversationAssignments.Add(new ConversationAssignment
        {
            ConversationId = conversation.Id, AssignedToId = to?.Id, AssignedById = scope.UserId, AssignmentType = type, AssignedAt = now,
        });
        conversation.AssignedToId = to?.Id;
        conversation.UpdatedAt = now;
        await db.SaveChangesAsync(cancellationToken);
        var by = scope.UserId is { } me ? Person(me, await NamesAsync([me], cancellationToken)) : null;
        await events.AssignmentChangedAsync(conversation.Id, to, by, cancellationToken);
    }

    private async Task<Dictionary<long, string>> NamesAsync(IEnumerable<long?> userIds, CancellationToken cancellationToken)
    {
        var ids = userIds.OfType<long>().Distinct().ToList();
        return await db.Users.Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Name, cancellationToken);
    }

    private static PersonRef? Person(long? userId, Dictionary<long, string> names) =>
        userId is { } id ? new PersonRef(id, names.GetValueOrDefault(id, "")) : null;
}
