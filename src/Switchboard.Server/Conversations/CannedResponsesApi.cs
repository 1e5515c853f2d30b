using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Audit;
using Switchboard.Channels;
using Switchboard.Contacts;
using Switchboard.Identity;
using Switchboard.Platform.Database;
using Switchboard.Platform.Http;
using Switchboard.Tenancy;

namespace Switchboard.Conversations;

public sealed record CannedResponseView(long Id, string Title, string Shortcut, string Content, string? Category, bool IsShared, long? OwnerId,
    int UsageCount, IReadOnlyList<ChannelType> Platforms);

/// <summary>A change: fields left out are kept; an empty <c>category</c> clears it; <c>platforms</c> empty means every channel type.</summary>
public sealed record CannedResponseRequest(string? Title, string? Shortcut, string? Content, string? Category, bool? IsShared, List<ChannelType>? Platforms);

/// <summary>Canned responses (docs/inbox-api.md): shared ones, which supervisors keep, and each person's own, which nobody
/// else sees.</summary>
public static partial class CannedResponsesApi
{
    public static void MapCannedResponsesApi(this RouteGroupBuilder api)
    {
        var responses = api.MapGroup("/canned-responses").WithTags("Conversations");
        responses.MapGet("/", List).RequirePermission(Permission.ConversationsRead);
        responses.MapPost("/", Create).RequirePermission(Permission.ConversationsReply).Audited("conversations.canned_response.create");
        responses.MapPatch("/{id:long}", Update).RequirePermission(Permission.ConversationsReply).Audited("conversations.canned_response.update");
        responses.MapDelete("/{id:long}", Delete).RequirePermission(Permission.ConversationsReply).Audited("conversations.canned_response.delete");
        responses.MapPost("/{id:long}/use", Use).RequirePermission(Permission.ConversationsReply).Audited("conversations.canned_response.use");
    }

    /// <summary>Platforms are kept as the enum names the database uses for every enum.</summary>
    private static CannedResponseView View(CannedResponse r) =>
        new(r.Id, r.Title, r.Shortcut, r.Content, r.Category, r.IsShared, r.UserId, r.UsageCount, r.Platforms.Select(Enum.Parse<ChannelType>).ToList());

    /// <summary>The shared ones and the caller's own; an API key, nobody's, sees the shared ones only.</summary>
    private static IQueryable<CannedResponse> Visible(SwitchboardDbContext db, TenantContext scope)
    {
        var me = scope.UserId;
        return db.CannedResponses.Where(r => r.IsShared || (me != null && r.UserId == me));
    }

    private static ProblemHttpResult SharedNeedsManage() =>
        Problems.Forbidden("Shared canned responses are kept by supervisors (conversations.manage).");

    private static async Task<Ok<ItemList<CannedResponseView>>> List(SwitchboardDbContext db, TenantContext scope, string? q, CancellationToken cancellationToken)
    {
        var query = Visible(db, scope).AsNoTracking();
        if (!string.IsNullOrWhiteSpace(q))
        {
            // Lower-cased on both sides: the same case-insensitive match on SQLite and PostgreSQL.
            var pattern = ContactService.SearchPattern(q);
            query = query.Where(r => EF.Functions.Like(r.Title.ToLower(), pattern, "\\") || EF.Functions.Like(r.Shortcut.ToLower(), pattern, "\\")
                || EF.Functions.Like(r.Content.ToLower(), pattern, "\\"));
        }
        var found = await query.OrderBy(r => r.Shortcut).ThenBy(r => r.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok(new ItemList<CannedResponseView>(found.Select(View).ToList()));
    }

    /// <summary>Checks the request; <paramref name="creating"/> makes title, shortcut and content required.</summary>
    private static Validation Validate(CannedResponseRequest request, bool creating)
    {
        var validation = new Validation();
        if (creating || request.Title is not null)
            validation.Required("title", request.Title, 100);
        if ((creating || request.Shortcut is not null) && !(request.Shortcut is { } shortcut && ShortcutPattern().IsMatch(shortcut)))
            validation.Add("shortcut", "must be 1 to 50 letters, digits, - or _ (no spaces).");
        if (creating || request.Content is not null)
            validation.Required("content", request.Content, ConversationsApi.MaxTextLength);
        return validation.MaxLength("category", request.Category, 50);
    }

    /// <summary>A shortcut picks one response among those the caller sees, whatever its case.</summary>
    private static Task<bool> ShortcutTakenAsync(SwitchboardDbContext db, TenantContext scope, string? shortcut, long exceptId,
        CancellationToken cancellationToken) =>
        shortcut is null
            ? Task.FromResult(false)
            : Visible(db, scope).AnyAsync(r => r.Shortcut.ToLower() == shortcut.ToLower() && r.Id != exceptId, cancellationToken);

    private static void Apply(CannedResponse response, CannedResponseRequest request, TenantContext scope, DateTimeOffset now)
    {
        if (request.Title is not null)
            response.Title = request.Title.Trim();
        if (request.Shortcut is not null)
            response.Shortcut = request.Shortcut;
        if (request.Content is not null)
            response.Content = request.Content.Trim();
        if (request.Category is not null)
            response.Category = request.Category.Length == 0 ? null : request.Category.Trim();
        if (request.IsShared is { } shared)
        {
            response.IsShared = shared;
            response.UserId = shared ? null : scope.UserId;
        }
        if (request.Platforms is not null)
            response.Platforms = request.Platforms.Distinct().Select(p => p.ToString()).ToList();
        response.UpdatedAt = now;
    }

    private static async Task<Results<Created<CannedResponseView>, ValidationProblem, ProblemHttpResult>> Create(
        CannedResponseRequest request, SwitchboardDbContext db, TenantContext scope, TimeProvider clock, AuditDetails audit, CancellationToken cancellationToken)
    {
        var shared = request.IsShared ?? false;
        if (shared && !scope.MayManage())
            return SharedNeedsManage();
        var validation = Validate(request, creating: true);
        if (!shared && scope.UserId is null)
            validation.Add("isShared", "must be true with an API key: a key has no personal canned responses.");
        if (!validation.IsValid)
            return validation.ToResult();
        if (await ShortcutTakenAsync(db, scope, request.Shortcut, 0, cancellationToken))
            return Problems.Conflict($"You already have a canned response /{request.Shortcut}.");
        var now = clock.GetUtcNow();
        var response = new CannedResponse { Title = "", Shortcut = "", Content = "", CreatedAt = now };
        Apply(response, request with { IsShared = shared }, scope, now);
        db.CannedResponses.Add(response);
        await db.SaveChangesAsync(cancellationToken);
        audit.Meta["cannedResponseId"] = response.Id;
        audit.Meta["shared"] = shared;
        return TypedResults.Created($"/api/v1/canned-responses/{response.Id}", View(response));
    }

    private static async Task<Results<Ok<CannedResponseView>, ValidationProblem, ProblemHttpResult>> Update(
        long id, CannedResponseRequest request, SwitchboardDbContext db, TenantContext scope, TimeProvider clock, CancellationToken cancellationToken)
    {
        var response = await Visible(db, scope).FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (response is null)
            return Problems.NotFound("Canned response");
        // Sharing one, unsharing one (it becomes the caller's) or changing a shared one are supervisors' work.
        if ((response.IsShared || request.IsShared == true) && !scope.MayManage())
            return SharedNeedsManage();
        var validation = Validate(request, creating: false);
        if (request.IsShared == false && scope.UserId is null)
            validation.Add("isShared", "must stay true with an API key: a key has no personal canned responses.");
        if (!validation.IsValid)
            return validation.ToResult();
        if (await ShortcutTakenAsync(db, scope, request.Shortcut, id, cancellationToken))
            return Problems.Conflict($"You already have a canned response /{request.Shortcut}.");
        Apply(response, request, scope, clock.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(View(response));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(long id, SwitchboardDbContext db, TenantContext scope, CancellationToken cancellationToken)
    {
        var response = await Visible(db, scope).FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (response is null)
            return Problems.NotFound("Canned response");
        if (response.IsShared && !scope.MayManage())
            return SharedNeedsManage();
        db.CannedResponses.Remove(response);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>Counts an insertion into a reply (the console calls it when an agent picks one).</summary>
    private static async Task<Results<Ok<CannedResponseView>, ProblemHttpResult>> Use(long id, SwitchboardDbContext db, TenantContext scope, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        // In SQL, so two agents using it at once both count.
        var counted = await Visible(db, scope).Where(r => r.Id == id)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.UsageCount, r => r.UsageCount + 1).SetProperty(r => r.LastUsedAt, now), cancellationToken);
        if (counted == 0)
            return Problems.NotFound("Canned response");
        return TypedResults.Ok(View(await db.CannedResponses.AsNoTracking().FirstAsync(r => r.Id == id, cancellationToken)));
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,50}$")]
    private static partial Regex ShortcutPattern();
}
