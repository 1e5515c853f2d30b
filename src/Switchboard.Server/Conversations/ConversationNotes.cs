using Microsoft.EntityFrameworkCore;
using Switchboard.Platform.Database;

namespace Switchboard.Conversations;

public sealed record NoteView(long Id, long ConversationId, PersonRef? Author, string Content, bool IsPinned, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>Internal notes on a conversation: written by agents, never sent to the customer.</summary>
public static class ConversationNotes
{
    public static async Task<NoteView> AddAsync(SwitchboardDbContext db, TenantContext scope, long conversationId, string content, bool pinned,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var note = new ConversationNote { ConversationId = conversationId, UserId = scope.UserId, Content = content, IsPinned = pinned, CreatedAt = now, UpdatedAt = now };
        db.ConversationNotes.Add(note);
        await db.SaveChangesAsync(cancellationToken);
        return await ViewAsync(db, note.Id, cancellationToken);
    }

    public static async Task<NoteView> ViewAsync(SwitchboardDbContext db, long noteId, CancellationToken cancellationToken) =>
        (await ViewsAsync(db, db.ConversationNotes.Where(n => n.Id == noteId), cancellationToken)).Single();

    /// <summary>Notes with their authors' names, pinned first, then newest.</summary>
    public static async Task<List<NoteView>> ViewsAsync(SwitchboardDbContext db, IQueryable<ConversationNote> notes, CancellationToken cancellationToken) =>
        await (from n in notes.AsNoTracking()
               join u in db.Users on n.UserId equals u.Id into authors
               from u in authors.DefaultIfEmpty()
               orderby n.IsPinned descending, n.CreatedAt descending, n.Id descending
               select new NoteView(n.Id, n.ConversationId, u == null ? null : new PersonRef(u.Id, u.Name), n.Content, n.IsPinned, n.CreatedAt, n.UpdatedAt))
            .ToListAsync(cancellationToken);
}
