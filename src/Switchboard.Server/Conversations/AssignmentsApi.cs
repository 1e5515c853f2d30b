using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Audit;
using Switchboard.Identity;
using Switchboard.Platform.Database;
using Switchboard.Platform.Http;
using Switchboard.Tenancy;

namespace Switchboard.Conversations;

/// <summary><c>userId</c> null (or left out) unassigns.</summary>
public sealed record AssignRequest(long? UserId);

/// <summary>At least one target.</summary>
public sealed record TransferRequest(long? ToUserId, long? ToDepartmentId, string? Reason);

/// <summary>Assigning and transferring conversations, and their history (docs/inbox-api.md).</summary>
public static class AssignmentsApi
{
    public static void MapAssignmentsApi(this RouteGroupBuilder api)
    {
        var conversation = api.MapGroup("/conversations/{id:long}").WithTags("Conversations");
        conversation.MapPost("/assign", Assign).RequirePermission(Permission.ConversationsReply).Audited("conversations.assign");
        conversation.MapPost("/transfer", Transfer).RequirePermission(Permission.ConversationsReply).Audited("conversations.transfer");
        conversation.MapGet("/assignments", Assignments).RequirePermission(Permission.ConversationsRead);
        conversation.MapGet("/transfers", Transfers).RequirePermission(Permission.ConversationsRead);
    }

    private static ProblemHttpResult NotYours() =>
        Problems.Forbidden("The conversation is assigned to someone else; only a supervisor may take it from them.");

    private static async Task<Results<Ok<ConversationSummary>, ValidationProblem, ProblemHttpResult>> Assign(
        long id, AssignRequest request, SwitchboardDbContext db, ConversationAssignments assignments, ConversationViews views, AuditDetails audit,
        CancellationToken cancellationToken)
    {
        var conversation = await db.FindForChangeAsync(id, cancellationToken);
        if (conversation is null)
            return Problems.NotFound("Conversation");
        if (!assignments.MayReassign(conversation))
            return NotYours();
        PersonRef? to = null;
        if (request.UserId is { } userId && (to = await assignments.ActiveMemberAsync(userId, cancellationToken)) is null)
            return new Validation().Add("userId", $"user {userId} is not an active member of this workspace.").ToResult();
        audit.Meta["from"] = conversation.AssignedToId;
        audit.Meta["to"] = to?.Id;
        await assignments.AssignAsync(conversation, to, cancellationToken);
        return TypedResults.Ok((await views.SummaryAsync(id, cancellationToken))!);
    }

    private static async Task<Results<Ok<ConversationSummary>, ValidationProblem, ProblemHttpResult>> Transfer(
        long id, TransferRequest request, SwitchboardDbContext db, ConversationAssignments assignments, ConversationViews views, AuditDetails audit,
        CancellationToken cancellationToken)
    {
        var conversation = await db.FindForChangeAsync(id, cancellationToken);
        if (conversation is null)
            return Problems.NotFound("Conversation");
        if (!assignments.MayReassign(conversation))
            return NotYours();
        var validation = new Validation().MaxLength("reason", request.Reason, 500);
        if (request.ToUserId is null && request.ToDepartmentId is null)
            validation.Add("toUserId", "or toDepartmentId is required.");
        PersonRef? toUser = null;
        if (request.ToUserId is { } userId && (toUser = await assignments.ActiveMemberAsync(userId, cancellationToken)) is null)
            validation.Add("toUserId", $"user {userId} is not an active member of this workspace.");
        if (request.ToDepartmentId is { } departmentId && !await db.Departments.AnyAsync(d => d.Id == departmentId, cancellationToken))
            validation.Add("toDepartmentId", $"department {departmentId} does not exist.");
        if (!validation.IsValid)
            return validation.ToResult();
        audit.Meta["toUserId"] = request.ToUserId;
        audit.Meta["toDepartmentId"] = request.ToDepartmentId;
        await assignments.TransferAsync(conversation, toUser, request.ToDepartmentId,
            string.IsNullOrWhiteSpace(request.Reason) ? null : request.Reason.Trim(), cancellationToken);
        return TypedResults.Ok((await views.SummaryAsync(id, cancellationToken))!);
    }

    private static async Task<Results<Ok<ItemList<AssignmentView>>, ProblemHttpResult>> Assignments(long id, SwitchboardDbContext db,
        ConversationAssignments assignments, CancellationToken cancellationToken) =>
        await db.Conversations.AnyAsync(c => c.Id == id, cancellationToken)
            ? TypedResults.Ok(new ItemList<AssignmentView>(await assignments.AssignmentsAsync(id, cancellationToken)))
            : Problems.NotFound("Conversation");

    private static async Task<Results<Ok<ItemList<TransferView>>, ProblemHttpResult>> Transfers(long id, SwitchboardDbContext db,
        ConversationAssignments assignments, CancellationToken cancellationToken) =>
        await db.Conversations.AnyAsync(c => c.Id == id, cancellationToken)
            ? TypedResults.Ok(new ItemList<TransferView>(await assignments.TransfersAsync(id, cancellationToken)))
            : Problems.NotFound("Conversation");
}
