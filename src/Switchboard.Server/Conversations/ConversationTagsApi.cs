using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Audit;
using Switchboard.Identity;
using Switchboard.Platform.Database;
using Switchboard.Platform.Http;
using Switchboard.Tenancy;

namespace Switchboard.Conversations;

public sealed record ConversationTagView(long Id, string Name, string Color, string? Description);

/// <summary>A change: fields left out are kept; an empty <c>description</c> clears it.</summary>
public sealed record ConversationTagRequest(string? Name, string? Color, string? Description);

public sealed record SetTagsRequest(List<long>? TagIds);

/// <summary>Conversation tags (docs/inbox-api.md): supervisors define them, anyone who may reply puts them on conversations.</summary>
public static class ConversationTagsApi
{
    private const int MaxTagsPerConversation = 50;

    public static void MapConversationTagsApi(this RouteGroupBuilder api)
    {
        var tags = api.MapGroup("/conversation-tags").WithTags("Conversations");
        tags.MapGet("/", List).RequirePermission(Permission.ConversationsRead);
        tags.MapPost("/", Create).RequirePermission(Permission.ConversationsManage).Audited("conversations.tag.create");
        tags.MapPatch("/{id:long}", Update).RequirePermission(Permission.ConversationsManage).Audited("conversations.tag.update");
        tags.MapDelete("/{id:long}", Delete).RequirePermission(Permission.ConversationsManage).Audited("conversations.tag.delete");
        api.MapPut("/conversations/{id:long}/tags", Set).WithTags("Conversations").RequirePermission(Permission.ConversationsReply)
            .Audited("conversations.tags.set");
    }

    private static ConversationTagView View(ConversationTag t) => new(t.Id, t.Name, t.Color, t.Description);

    private static async Task<Ok<ItemList<ConversationTagView>>> List(SwitchboardDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ItemList<ConversationTagView>((await db.ConversationTags.AsNoTracking().OrderBy(t => t.Name).ToListAsync(cancellationToken))
            .Select(View).ToList()));

    /// <summary>Checks the request; <paramref name="creating"/> makes name and color required.</summary>
    private static Validation Validate(ConversationTagRequest request, bool creating)
    {
        var validation = new Validation();
        if (creating || request.Name is not null)
            validation.Required("name", request.Name, 50);
        if ((creating || request.Color is not null) && !Formats.IsHexColor(request.Color))
            validation.Add("color", "must be a hex colour such as #3b5bdb.");
        return validation.MaxLength("description", request.Description, 500);
    }

    private static void Apply(ConversationTag tag, ConversationTagRequest request)
    {
        if (request.Name is not null)
            tag.Name = request.Name.Trim();
        if (request.Color is not null)
            tag.Color = request.Color.ToLowerInvariant();
        if (request.Description is not null)
            tag.Description = request.Description.Length == 0 ? null : request.Description;
    }

    /// <summary>Names differing only in case would look like one tag in the inbox.</summary>
    private static async Task<Results<Created<ConversationTagView>, ValidationProblem, ProblemHttpResult>> Create(
        ConversationTagRequest request, SwitchboardDbContext db, TimeProvider clock, AuditDetails audit, CancellationToken cancellationToken)
    {
        var validation = Validate(request, creating: true);
        if (!validation.IsValid)
            return validation.ToResult();
        if (await db.ConversationTags.NameTakenAsync(request.Name, 0, cancellationToken))
            return Problems.Conflict("A conversation tag with that name exists.");
        var tag = new ConversationTag { Name = "", Color = "", CreatedAt = clock.GetUtcNow() };
        Apply(tag, request);
        db.ConversationTags.Add(tag);
        await db.SaveChangesAsync(cancellationToken);
        audit.Meta["tagId"] = tag.Id;
        audit.Meta["name"] = tag.Name;
        return TypedResults.Created($"/api/v1/conversation-tags/{tag.Id}", View(tag));
    }

    private static async Task<Results<Ok<ConversationTagView>, ValidationProblem, ProblemHttpResult>> Update(
        long id, ConversationTagRequest request, SwitchboardDbContext db, CancellationToken cancellationToken)
    {
        var tag = await db.ConversationTags.FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (tag is null)
            return Problems.NotFound("Conversation tag");
        var validation = Validate(request, creating: false);
        if (!validation.IsValid)
            return validation.ToResult();
        if (await db.ConversationTags.NameTakenAsync(request.Name, id, cancellationToken))
            return Problems.Conflict("A conversation tag with that name exists.");
        Apply(tag, request);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(View(tag));
    }

    /// <summary>Its links go with it (cascade).</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(long id, SwitchboardDbContext db, CancellationToken cancellationToken)
    {
        var tag = await db.ConversationTags.FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (tag is null)
            return Problems.NotFound("Conversation tag");
        db.ConversationTags.Remove(tag);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>Replaces the conversation's tags with exactly <c>tagIds</c>.</summary>
    private static async Task<Results<Ok<ConversationSummary>, ValidationProblem, ProblemHttpResult>> Set(
        long id, SetTagsRequest request, SwitchboardDbContext db, InboxEvents events, ConversationViews views, TimeProvider clock, AuditDetails audit,
        CancellationToken cancellationToken)
    {
        var conversation = await db.Conversations.Include(c => c.Tags).FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (conversation is null)
            return Problems.NotFound("Conversation");
        var wanted = request.TagIds?.Distinct().ToList() ?? [];
        var validation = new Validation();
        if (request.TagIds is null)
            validation.Add("tagIds", "is required (an empty list removes every tag).");
        else if (wanted.Count > MaxTagsPerConversation)
            validation.Add("tagIds", $"must hold at most {MaxTagsPerConversation} tags.");
        else
        {
            var known = await db.ConversationTags.Where(t => wanted.Contains(t.Id)).Select(t => t.Id).ToListAsync(cancellationToken);
            foreach (var unknown in wanted.Except(known))
                validation.Add("tagIds", $"tag {unknown} does not exist.");
        }
        if (!validation.IsValid)
            return validation.ToResult();

        conversation.Tags.RemoveAll(l => !wanted.Contains(l.TagId));
        conversation.Tags.AddRange(wanted.Where(tagId => conversation.Tags.All(l => l.TagId != tagId)).Select(tagId => new ConversationTagLink { TagId = tagId }));
        conversation.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        audit.Meta["tagIds"] = string.Join(',', wanted.Order());
        await events.ConversationUpdatedAsync(id, created: false, cancellationToken);
        return TypedResults.Ok((await views.SummaryAsync(id, cancellationToken))!);
    }
}
