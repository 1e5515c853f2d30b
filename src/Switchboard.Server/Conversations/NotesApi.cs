using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Audit;
using Switchboard.Identity;
using Switchboard.Platform.Database;
using Switchboard.Platform.Http;
using Switchboard.Tenancy;

namespace Switchboard.Conversations;

public sealed record NoteRequest(string? Content, bool? IsPinned);

/// <summary>Internal notes on a conversation (docs/inbox-api.md): anyone who may reply writes them; only the author or a
/// supervisor changes or deletes one.</summary>
public static class NotesApi
{
    public static void MapNotesApi(this RouteGroupBuilder api)
    {
        var notes = api.MapGroup("/conversations/{id:long}/notes").WithTags("Conversations");
        notes.MapGet("/", List).RequirePermission(Permission.ConversationsRead);
        notes.MapPost("/", Create).RequirePermission(Permission.ConversationsReply).Audited("conversations.note.create");
        notes.MapPatch("/{noteId:long}", Update).RequirePermission(Permission.ConversationsReply).Audited("conversations.note.update");
        notes.MapDelete("/{noteId:long}", Delete).RequirePermission(Permission.ConversationsReply).Audited("conversations.note.delete");
    }

    private static async Task<Results<Ok<ItemList<NoteView>>, ProblemHttpResult>> List(long id, SwitchboardDbContext db, CancellationToken cancellationToken)
    {
        if (!await db.Conversations.AnyAsync(c => c.Id == id, cancellationToken))
            return Problems.NotFound("Conversation");
        return TypedResults.Ok(new ItemList<NoteView>(await ConversationNotes.ViewsAsync(db, db.ConversationNotes.Where(n => n.ConversationId == id), cancellationToken)));
    }

    private static async Task<Results<Created<NoteView>, ProblemHttpResult, ValidationProblem>> Create(
        long id, NoteRequest request, SwitchboardDbContext db, TenantContext scope, TimeProvider clock, AuditDetails audit, CancellationToken cancellationToken)
    {
        if (!await db.Conversations.AnyAsync(c => c.Id == id, cancellationToken))
            return Problems.NotFound("Conversation");
        var validation = new Validation().Required("content", request.Content, ConversationsApi.MaxTextLength);
        if (!validation.IsValid)
            return validation.ToResult();
        var note = await ConversationNotes.AddAsync(db, scope, id, request.Content!.Trim(), request.IsPinned ?? false, clock, cancellationToken);
        audit.Meta["noteId"] = note.Id;
        return TypedResults.Created($"/api/v1/conversations/{id}/notes/{note.Id}", note);
    }

    private static async Task<Results<Ok<NoteView>, ProblemHttpResult, ValidationProblem>> Update(
        long id, long noteId, NoteRequest request, SwitchboardDbContext db, TenantContext scope, TimeProvider clock, CancellationToken cancellationToken)
    {
        var note = await db.ConversationNotes.FirstOrDefaultAsync(n => n.Id == noteId && n.ConversationId == id, cancellationToken);
        if (note is null)
            return Problems.NotFound("Note");
        if (!MayChange(note, scope))
            return Problems.Forbidden("Only the note's author or a supervisor may change it.");
        if (request.Content is not null)
        {
            var validation = new Validation().Required("content", request.Content, ConversationsApi.MaxTextLength);
            if (!validation.IsValid)
                return validation.ToResult();
            note.Content = request.Content.Trim();
        }
        if (request.IsPinned is { } pinned)
            note.IsPinned = pinned;
        note.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(await ConversationNotes.ViewAsync(db, note.Id, cancellationToken));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(long id, long noteId, SwitchboardDbContext db, TenantContext scope,
        CancellationToken cancellationToken)
    {
        var note = await db.ConversationNotes.FirstOrDefaultAsync(n => n.Id == noteId && n.ConversationId == id, cancellationToken);
        if (note is null)
            return Problems.NotFound("Note");
        if (!MayChange(note, scope))
            return Problems.Forbidden("Only the note's author or a supervisor may delete it.");
        db.ConversationNotes.Remove(note);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>An API key has no person behind it, so it is never the author (a note it wrote has no author either).</summary>
    private static bool MayChange(ConversationNote note, TenantContext scope) =>
        (scope.UserId is { } me && note.UserId == me) || scope.MayManage();
}
