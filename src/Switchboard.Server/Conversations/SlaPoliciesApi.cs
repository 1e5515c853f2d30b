using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Audit;
using Switchboard.Identity;
using Switchboard.Platform.Database;
using Switchboard.Platform.Http;
using Switchboard.Tenancy;

namespace Switchboard.Conversations;

public sealed record SlaPolicyView(long Id, string Name, string? Description, int FirstResponseTimeMinutes, int ResolutionTimeHours,
    JsonObject Conditions, bool IsActive, bool IsDefault);

/// <summary>A change: fields left out are kept; an empty <c>description</c> clears it.</summary>
public sealed record SlaPolicyRequest(string? Name, string? Description, int? FirstResponseTimeMinutes, int? ResolutionTimeHours,
    JsonObject? Conditions, bool? IsActive, bool? IsDefault);

/// <summary>SLA policies (docs/inbox-api.md): supervisors define them; the default one starts on every new conversation.</summary>
public static class SlaPoliciesApi
{
    // A year either way: beyond that a due time means nothing (and far beyond it, overflows).
    private const int MaxFirstResponseMinutes = 525_600;
    private const int MaxResolutionHours = 8_760;

    public static void MapSlaPoliciesApi(this RouteGroupBuilder api)
    {
        var policies = api.MapGroup("/sla-policies").WithTags("Conversations");
        policies.MapGet("/", List).RequirePermission(Permission.ConversationsRead);
        policies.MapPost("/", Create).RequirePermission(Permission.ConversationsManage).Audited("conversations.sla_policy.create");
        policies.MapPatch("/{id:long}", Update).RequirePermission(Permission.ConversationsManage).Audited("conversations.sla_policy.update");
        policies.MapDelete("/{id:long}", Delete).RequirePermission(Permission.ConversationsManage).Audited("conversations.sla_policy.delete");
    }

    private static SlaPolicyView View(SlaPolicy p) =>
        new(p.Id, p.Name, p.Description, p.FirstResponseTimeMinutes, p.ResolutionTimeHours, p.Conditions, p.IsActive, p.IsDefault);

    private static async Task<Ok<ItemList<SlaPolicyView>>> List(SwitchboardDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ItemList<SlaPolicyView>((await db.SlaPolicies.AsNoTracking().OrderBy(p => p.Name).ToListAsync(cancellationToken))
            .Select(View).ToList()));

    /// <summary>Checks the request; <paramref name="creating"/> makes the name and both times required.</summary>
    private static Validation Validate(SlaPolicyRequest request, bool creating)
    {
        var validation = new Validation();
        if (creating || request.Name is not null)
            validation.Required("name", request.Name, 100);
        if ((creating || request.FirstResponseTimeMinutes is not null) && request.FirstResponseTimeMinutes is not (>= 1 and <= MaxFirstResponseMinutes))
            validation.Add("firstResponseTimeMinutes", $"must be between 1 and {MaxFirstResponseMinutes}.");
        if ((creating || request.ResolutionTimeHours is not null) && request.ResolutionTimeHours is not (>= 1 and <= MaxResolutionHours))
            validation.Add("resolutionTimeHours", $"must be between 1 and {MaxResolutionHours}.");
        return validation.MaxLength("description", request.Description, 500);
    }

    private static void Apply(SlaPolicy policy, SlaPolicyRequest request)
    {
        if (request.Name is not null)
            policy.Name = request.Name.Trim();
        if (request.Description is not null)
            policy.Description = request.Description.Length == 0 ? null : request.Description;
        if (request.FirstResponseTimeMinutes is { } minutes)
            policy.FirstResponseTimeMinutes = minutes;
        if (request.ResolutionTimeHours is { } hours)
            policy.ResolutionTimeHours = hours;
        if (request.Conditions is not null)
            policy.Conditions = request.Conditions;
        if (request.IsActive is { } active)
            policy.IsActive = active;
        if (request.IsDefault is { } isDefault)
            policy.IsDefault = isDefault;
    }

    /// <summary>Saves the policy; a new default takes over from the previous one in the same transaction (the unique index
    /// allows one default per tenant).</summary>
    private static async Task SaveAsync(SwitchboardDbContext db, SlaPolicy policy, CancellationToken cancellationToken)
    {
        await using var transaction = await UnitOfWork.BeginAsync(db, cancellationToken);
        if (policy.IsDefault)
            await db.SlaPolicies.Where(p => p.IsDefault && p.Id != policy.Id).ExecuteUpdateAsync(s => s.SetProperty(p => p.IsDefault, false), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task<Results<Created<SlaPolicyView>, ValidationProblem, ProblemHttpResult>> Create(
        SlaPolicyRequest request, SwitchboardDbContext db, TimeProvider clock, AuditDetails audit, CancellationToken cancellationToken)
    {
        var validation = Validate(request, creating: true);
        if (!validation.IsValid)
            return validation.ToResult();
        if (await db.SlaPolicies.NameTakenAsync(request.Name, 0, cancellationToken))
            return Problems.Conflict("An SLA policy with that name exists.");
        var now = clock.GetUtcNow();
        var policy = new SlaPolicy { Name = "", CreatedAt = now, UpdatedAt = now };
        Apply(policy, request);
        db.SlaPolicies.Add(policy);
        await SaveAsync(db, policy, cancellationToken);
        audit.Meta["policyId"] = policy.Id;
        audit.Meta["name"] = policy.Name;
        return TypedResults.Created($"/api/v1/sla-policies/{policy.Id}", View(policy));
    }

    private static async Task<Results<Ok<SlaPolicyView>, ValidationProblem, ProblemHttpResult>> Update(
        long id, SlaPolicyRequest request, SwitchboardDbContext db, TimeProvider clock, AuditDetails audit, CancellationToken cancellationToken)
    {
        var policy = await db.SlaPolicies.FirstOrDefaultAsync(p => p.Id == id, cancellationToken);
        if (policy is null)
            return Problems.NotFound("SLA policy");
        var validation = Validate(request, creating: false);
        if (!validation.IsValid)
            return validation.ToResult();
        if (await db.SlaPolicies.NameTakenAsync(request.Name, id, cancellationToken))
            return Problems.Conflict("An SLA policy with that name exists.");
        Apply(policy, request);
        policy.UpdatedAt = clock.GetUtcNow();
        await SaveAsync(db, policy, cancellationToken);
        audit.Meta["policyId"] = policy.Id;
        return TypedResults.Ok(View(policy));
    }

    /// <summary>Conversations under it keep their due times; their policy id becomes null (set null).</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(long id, SwitchboardDbContext db, AuditDetails audit, CancellationToken cancellationToken)
    {
        var policy = await db.SlaPolicies.FirstOrDefaultAsync(p => p.Id == id, cancellationToken);
        if (policy is null)
            return Problems.NotFound("SLA policy");
        db.SlaPolicies.Remove(policy);
        await db.SaveChangesAsync(cancellationToken);
        audit.Meta["policyId"] = id;
        return TypedResults.NoContent();
    }
}
